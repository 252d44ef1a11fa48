import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// A detached CMS `SignedData` (RFC 5652) made by the card: one signer, identified by issuer and
/// serial number, with the signed attributes contentType, messageDigest and signingTime, so that the
/// card signs only the DER of the signed attributes and the content itself never has to be in memory.
///
/// Built and parsed with swift-asn1; the content is supplied separately (`openssl cms -verify -content`).
public struct DetachedCMSSignature: Sendable {
    /// The hash used for the content and the signed attributes.
    public let hash: JPKIHashAlgorithm
    /// The content digest recorded in the messageDigest attribute.
    public let messageDigest: [UInt8]
    /// The signing time recorded in the signingTime attribute, if any.
    public let signingTime: Date?
    /// The signer's issuer, as the SignerInfo names it.
    public let signerIssuer: DistinguishedName
    /// The signer's certificate serial number, as the SignerInfo names it.
    public let signerSerial: Certificate.SerialNumber
    /// The signed attributes, DER-encoded as a SET (the bytes the signature covers, RFC 5652 §5.4).
    public let signedAttributesDER: [UInt8]
    /// How the signature was made (RSA PKCS#1 v1.5 or ECDSA, with ``hash``).
    public let signatureAlgorithm: SignatureAlgorithm
    /// The signature value.
    public let signature: [UInt8]
    /// The certificates carried in the SignedData (signer first when built by this type).
    public let certificates: [Certificate]

    // MARK: Object identifiers (RFC 5652 §11, RFC 8017)

    static let dataOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 1]
    static let signedDataOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
    static let contentTypeOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
    static let messageDigestOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
    static let signingTimeOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 5]

    // MARK: Signing

    /// The signed attributes for a content digest: what the card must sign, before the signature exists.
    public struct SignedAttributes: Sendable {
        /// The content digest.
        public let contentDigest: ComputedDigest
        /// The signing time.
        public let signingTime: Date
        let attributes: [Attribute]

        /// The DER of the attributes as a SET OF Attribute: the bytes to hash and sign.
        public let der: [UInt8]

        /// The DigestInfo the card signs: the hash of ``der`` with the content digest's algorithm.
        public var digestInfo: [UInt8] { contentDigest.algorithm.hash(der).digestInfo }

        /// Builds the contentType (id-data), messageDigest and signingTime attributes.
        public init(contentDigest: ComputedDigest, signingTime: Date) throws {
            self.contentDigest = contentDigest
            self.signingTime = signingTime
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: signingTime)
            let time = try UTCTime(year: parts.year!, month: parts.month!, day: parts.day!,
                                   hours: parts.hour!, minutes: parts.minute!, seconds: parts.second!)
            attributes = [
                Attribute(type: DetachedCMSSignature.contentTypeOID, values: [try ASN1Any(erasing: DetachedCMSSignature.dataOID)]),
                Attribute(type: DetachedCMSSignature.signingTimeOID, values: [try ASN1Any(erasing: time)]),
                Attribute(type: DetachedCMSSignature.messageDigestOID,
                          values: [try ASN1Any(erasing: ASN1OctetString(contentBytes: ArraySlice(contentDigest.bytes)))]),
            ]
            var coder = DER.Serializer()
            try coder.serializeSetOf(attributes)
            der = coder.serializedBytes
        }
    }

    /// Makes a detached SignedData over content whose digest is `contentDigest`: `signer` signs the signed
    /// attributes, hashed with the content digest's hash (a SignerInfo names one digest algorithm for both,
    /// RFC 5652 §5.4); its certificate and chain travel in the result.
    public static func sign(contentDigest: ComputedDigest, with signer: some DigestSigner, signingTime: Date) throws -> [UInt8] {
        let hash = contentDigest.algorithm
        guard let algorithm = SignatureAlgorithm.verifying(with: signer.certificate.publicKey, hash: hash) else {
            throw UnsupportedKeyError(key: "\(signer.certificate.publicKey)")
        }
        let attributes = try SignedAttributes(contentDigest: contentDigest, signingTime: signingTime)
        let signature = try signer.sign(hash.hash(attributes.der))
        return try assemble(attributes: attributes, signature: signature, signer: signer.certificate.derEncoded(),
                            chain: signer.chain.map { try $0.derEncoded() }, algorithm: algorithm)
    }

    /// Assembles the DER ContentInfo once the key has signed `attributes.der` (for RSA: `attributes.digestInfo`).
    /// - Parameters:
    ///   - signer: the certificate of the key that signed (DER, as read from the card).
    ///   - chain: further certificates to include, e.g. the issuing CA (DER).
    ///   - algorithm: how the key signed; by default RSA PKCS#1 v1.5 with the content digest's hash.
    public static func assemble(attributes: SignedAttributes, signature: [UInt8], signer: [UInt8], chain: [[UInt8]] = [],
                                algorithm: SignatureAlgorithm? = nil) throws -> [UInt8] {
        let signerCertificate = try Certificate(derEncoded: signer)
        let hash = attributes.contentDigest.algorithm
        let algorithm = algorithm ?? .rsaPKCS1v15(hash)
        let certificates = try ([signer] + chain).map { try ASN1Any(derEncoded: $0) }
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(signedDataOID)
            try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(1)
                    try coder.appendConstructedNode(identifier: .set) { try serializeAlgorithm(hash.oid, into: &$0) }
                    try coder.appendConstructedNode(identifier: .sequence) { try $0.serialize(dataOID) }
                    try coder.serializeSetOf(certificates, identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
                    try coder.appendConstructedNode(identifier: .set) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(1)
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serialize(signerCertificate.issuer)
                                try coder.serialize(signerCertificate.serialNumber.bytes)
                            }
                            try serializeAlgorithm(hash.oid, into: &coder)
                            try coder.serializeSetOf(attributes.attributes, identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
                            try serializeAlgorithm(algorithm.cmsSignatureOID, nullParameters: algorithm.cmsParametersAreNull, into: &coder)
                            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(signature)))
                        }
                    }
                }
            }
        }
        return coder.serializedBytes
    }

    private static func serializeAlgorithm(_ oid: ASN1ObjectIdentifier, nullParameters: Bool = true, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            if nullParameters { try coder.serialize(ASN1Null()) }
        }
    }

    // MARK: Parsing

    /// Parses a DER ContentInfo holding a detached SignedData with one signer.
    /// - Throws: ``CMSFormatError`` when it is not one.
    public init(derEncoded bytes: [UInt8]) throws {
        do {
            try self.init(parsing: bytes)
        } catch let error as CMSFormatError {
            throw error
        } catch {
            // swift-asn1's and swift-certificates' errors name source files; say it in words.
            throw CMSFormatError("one of its fields is not what RFC 5652 allows there")
        }
    }

    private init(parsing bytes: [UInt8]) throws {
        let root: ASN1Node
        do { root = try DER.parse(bytes) } catch { throw CMSFormatError("it is not DER-encoded ASN.1") }
        let contentInfo = try Self.children(root, "ContentInfo")
        guard contentInfo.count == 2, try ASN1ObjectIdentifier(derEncoded: contentInfo[0]) == Self.signedDataOID else {
            throw CMSFormatError("it is not a CMS SignedData")
        }
        let wrapper = try Self.children(contentInfo[1], "[0] content")
        guard let signedDataNode = wrapper.first else { throw CMSFormatError("the SignedData is empty") }
        let signedData = try Self.children(signedDataNode, "SignedData")
        guard signedData.count >= 4 else { throw CMSFormatError("the SignedData has too few fields") }
        let encapsulated = try Self.children(signedData[2], "EncapsulatedContentInfo")
        guard encapsulated.count == 1 else { throw CMSFormatError("the signature is not detached: it carries its own content") }
        var certificates: [Certificate] = []
        var index = 3
        if signedData[index].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            certificates = try Self.children(signedData[index], "certificates").map { try Certificate(derEncoded: $0.encodedBytes) }
            index += 1
        }
        if index < signedData.count, signedData[index].identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific) { index += 1 }
        guard index < signedData.count else { throw CMSFormatError("the SignedData has no SignerInfos") }
        let signerInfos = try Self.children(signedData[index], "SignerInfos")
        guard signerInfos.count == 1 else { throw CMSFormatError("it has \(signerInfos.count) signers; exactly one is supported") }
        let signerInfo = try Self.children(signerInfos[0], "SignerInfo")
        guard signerInfo.count >= 6 else { throw CMSFormatError("the SignerInfo has too few fields, or no signed attributes") }
        let signerID = try Self.children(signerInfo[1], "issuerAndSerialNumber")
        guard signerID.count == 2 else { throw CMSFormatError("the signer is not named by issuer and serial number") }
        signerIssuer = try DistinguishedName(derEncoded: signerID[0])
        signerSerial = Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: signerID[1]))
        guard let digestAlgorithm = try Self.children(signerInfo[2], "digestAlgorithm").first else {
            throw CMSFormatError("its digest algorithm is empty")
        }
        let digestOID = try ASN1ObjectIdentifier(derEncoded: digestAlgorithm)
        guard let hash = JPKIHashAlgorithm.allCases.first(where: { $0.oid == digestOID }) else {
            throw CMSFormatError("its digest algorithm \(digestOID) is not SHA-256, SHA-384 or SHA-512")
        }
        self.hash = hash
        guard signerInfo[3].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) else {
            throw CMSFormatError("it has no signed attributes")
        }
        // RFC 5652 §5.4: the signature covers the attributes with the universal SET tag, not [0].
        var attributesDER = Array(signerInfo[3].encodedBytes)
        attributesDER[0] = 0x31
        signedAttributesDER = attributesDER
        var digest: [UInt8]?
        var time: Date?
        var contentTypeIsData = false
        for node in try Self.children(signerInfo[3], "signed attributes") {
            let attribute = try Attribute(derEncoded: node)
            guard let value = attribute.values.first else { continue }
            switch attribute.type {
            case Self.messageDigestOID: digest = Array(try ASN1OctetString(asn1Any: value).bytes)
            case Self.contentTypeOID: contentTypeIsData = try ASN1ObjectIdentifier(asn1Any: value) == Self.dataOID
            case Self.signingTimeOID:
                time = (try? UTCTime(asn1Any: value)).flatMap(Self.date(from:))
                    ?? (try? GeneralizedTime(asn1Any: value)).flatMap(Self.date(from:))
            default: break
            }
        }
        guard let digest else { throw CMSFormatError("it has no messageDigest attribute") }
        guard contentTypeIsData else { throw CMSFormatError("its contentType attribute is missing or not id-data") }
        messageDigest = digest
        signingTime = time
        guard let signatureOIDNode = try Self.children(signerInfo[4], "signatureAlgorithm").first else {
            throw CMSFormatError("its signatureAlgorithm is empty")
        }
        let signatureOID = try ASN1ObjectIdentifier(derEncoded: signatureOIDNode)
        guard let algorithm = SignatureAlgorithm(cmsSignatureOID: signatureOID, digest: hash) else {
            throw CMSFormatError("its signature algorithm \(signatureOID) is neither RSA nor ECDSA")
        }
        signatureAlgorithm = algorithm
        signature = Array(try ASN1OctetString(derEncoded: signerInfo[5]).bytes)
        self.certificates = certificates
    }

    private static func date(from time: UTCTime) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: time.year, month: time.month, day: time.day,
                                                  hour: time.hours, minute: time.minutes, second: time.seconds))
    }

    private static func date(from time: GeneralizedTime) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: time.year, month: time.month, day: time.day,
                                                  hour: time.hours, minute: time.minutes, second: time.seconds))
    }

    private static func children(_ node: ASN1Node, _ name: String) throws -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else { throw CMSFormatError("\(name) is not a constructed value") }
        return Array(nodes)
    }

    // MARK: Verification

    /// The certificate among ``certificates`` that the SignerInfo names.
    public var embeddedSignerCertificate: Certificate? {
        certificates.first { $0.issuer == signerIssuer && $0.serialNumber == signerSerial }
    }

    /// Checks the signature against the content's digest and the signer's certificate.
    /// - Parameter contentDigest: the digest of the content, made with ``hash``.
    public func verify(contentDigest: ComputedDigest, signer: Certificate) -> SignatureVerdict {
        guard contentDigest.algorithm == hash, contentDigest.bytes == messageDigest else {
            return .invalid("the content does not match: its \(hash.rawValue.uppercased()) differs from the one the signature covers")
        }
        switch signer.publicKey.check(signature, over: hash.hash(signedAttributesDER), as: signatureAlgorithm) {
        case .matches: return .valid
        case .doesNotMatch: return .invalid("the signature does not match the certificate's key (wrong certificate, or the signature was altered)")
        case .unsupportedKey(let key): return .invalid("the signer's certificate holds a key this tool cannot check (\(key))")
        }
    }
}

extension Certificate {
    /// The certificate's DER encoding.
    public func derEncoded() throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.serialize(self)
        return coder.serializedBytes
    }
}

/// One CMS attribute: SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF ANY }.
struct Attribute: DERImplicitlyTaggable, Hashable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .sequence }
    var type: ASN1ObjectIdentifier
    var values: [ASN1Any]

    init(type: ASN1ObjectIdentifier, values: [ASN1Any]) {
        self.type = type
        self.values = values
    }

    init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let values = try DER.set(of: ASN1Any.self, identifier: .set, nodes: &nodes)
            return Attribute(type: type, values: values)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(type)
            try coder.serializeSetOf(values)
        }
    }
}

/// Why bytes are not a detached CMS signature this tool can check.
public struct CMSFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ why: String) { description = "not a usable CMS signature: " + why }
}

/// The outcome of checking a signature: valid, or invalid with the reason in plain language.
public enum SignatureVerdict: Equatable, Sendable {
    case valid
    case invalid(String)

    /// Whether the signature is valid.
    public var isValid: Bool { self == .valid }
}
