import CLibXML2
import CMS
import Foundation
import X509

/// A file signed together with the XML: referenced by its name (percent-encoded), digested as bytes.
public struct XMLAttachment {
    /// The file's name, without a folder, as the reference URI names it.
    public let name: String
    private let digest: (JPKIHashAlgorithm) throws -> ComputedDigest

    /// An attachment held in memory.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        digest = { $0.hash(bytes) }
    }

    /// An attachment read from `file` when it is digested (in chunks, any size).
    public init(name: String, file: URL) {
        self.name = name
        digest = { algorithm in
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            return try algorithm.hash(reading: handle)
        }
    }

    func digest(_ algorithm: JPKIHashAlgorithm) throws -> ComputedDigest { try digest(algorithm) }
}

/// Enveloped XML Signatures (XMLDSig) as e-Gov's 電子申請 puts them in a 構成情報 file: Canonical XML 1.0,
/// RSA-SHA256, one reference to the signed element by its ID (`#構成情報`, with a C14N transform) and one
/// per attached file (SHA-256 of its bytes, URI = its percent-encoded name), the signing certificate in
/// `KeyInfo/X509Data/X509Certificate`, all inside `<署名情報>` right after the signed element. Checking
/// also accepts the percent-encoded form of the element reference (`#%E6%A7%8B…`).
/// See docs/xml-signatures.md for where this profile comes from.
public enum XMLSignature {
    /// The XML Signature namespace.
    public static let namespace = "http://www.w3.org/2000/09/xmldsig#"
    /// Canonical XML 1.0, without comments.
    public static let c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    /// The enveloped-signature transform.
    public static let envelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    /// The element e-Gov signs: 構成情報.
    public static let defaultElementID = "構成情報"
    /// The element e-Gov puts signatures in.
    public static let container = "署名情報"

    /// The DigestMethod URI of a hash (RFC 6931 §2.1).
    static func digestMethod(_ hash: JPKIHashAlgorithm) -> String {
        switch hash {
        case .sha256: "http://www.w3.org/2001/04/xmlenc#sha256"
        case .sha384: "http://www.w3.org/2001/04/xmldsig-more#sha384"
        case .sha512: "http://www.w3.org/2001/04/xmlenc#sha512"
        }
    }

    /// Checks, without signing, that `document` can be signed: well-formed XML without a DOCTYPE, one element
    /// with the ID `elementID`. Callers run it before asking for a PIN.
    public static func checkSignable(_ document: [UInt8], elementID: String = defaultElementID) throws {
        _ = try XMLTree(document).element(withID: elementID)
    }

    /// Signs the element whose ID is `elementID` and the `attachments`, and returns the document with the
    /// signature added. A document signed before keeps its signatures (co-signing): the new one joins them.
    public static func sign(_ document: [UInt8], elementID: String = defaultElementID, attachments: [XMLAttachment] = [],
                            with signer: some DigestSigner, signingTime: Date = Date()) throws -> [UInt8] {
        let tree = try XMLTree(document)
        let signed = try tree.element(withID: elementID)
        let algorithm = try signer.algorithm
        for attachment in attachments where attachment.name.contains("/") || attachment.name.isEmpty {
            throw XMLSignatureError.badAttachmentName(attachment.name)
        }

        // Where the signature goes: into an existing <署名情報>, else a new one right after the signed element
        // (inside it, with the enveloped-signature transform, when the signed element is the root).
        let existing = tree.elements().first { XMLTree.name($0) == container && XMLTree.namespace($0) == nil }
        let isRoot = signed.pointee.parent.map { $0.pointee.type == XML_DOCUMENT_NODE } ?? true
        let wrapper: xmlNodePtr
        if let existing {
            wrapper = existing
        } else {
            guard let created = xmlNewDocNode(tree.document, nil, container, nil) else { throw XMLSignatureError.malformed("libxml2 failed") }
            if isRoot { xmlAddChild(signed, created) } else { xmlAddNextSibling(signed, created) }
            wrapper = created
        }
        let enveloped = XMLTree.isAncestorOrSelf(signed, of: wrapper)
        if enveloped, !XMLTree.children(wrapper, named: "Signature", namespace: namespace).isEmpty {
            // A second enveloped signature inside the signed element would change what the first one covers.
            throw XMLSignatureError.malformed("the signed element already holds a signature; a further one would break it")
        }

        // The signed element's digest, taken before the signature exists (the enveloped-signature transform
        // leaves it out when checking).
        let elementDigest = algorithm.hash.hash(try tree.canonical(signed))

        guard let signature = xmlNewDocNode(tree.document, nil, "Signature", nil) else { throw XMLSignatureError.malformed("libxml2 failed") }
        xmlAddChild(wrapper, signature)
        let ns = xmlNewNs(signature, namespace, nil)
        xmlSetNs(signature, ns)
        xmlNewProp(signature, "Id", signatureID(signingTime, taken: Set(tree.elements().compactMap { XMLTree.attribute($0, "Id") })))
        let signedInfo = xmlNewChild(signature, ns, "SignedInfo", nil)
        xmlNewProp(xmlNewChild(signedInfo, ns, "CanonicalizationMethod", nil), "Algorithm", c14n)
        xmlNewProp(xmlNewChild(signedInfo, ns, "SignatureMethod", nil), "Algorithm", algorithm.xmlSignatureMethod)
        func reference(_ uri: String, transforms: [String], digest: ComputedDigest) {
            let node = xmlNewChild(signedInfo, ns, "Reference", nil)
            xmlNewProp(node, "URI", uri)
            if !transforms.isEmpty {
                let list = xmlNewChild(node, ns, "Transforms", nil)
                for transform in transforms { xmlNewProp(xmlNewChild(list, ns, "Transform", nil), "Algorithm", transform) }
            }
            xmlNewProp(xmlNewChild(node, ns, "DigestMethod", nil), "Algorithm", digestMethod(digest.algorithm))
            xmlNewTextChild(node, ns, "DigestValue", Data(digest.bytes).base64EncodedString())
        }
        reference("#" + elementID, transforms: (enveloped ? [envelopedSignature] : []) + [c14n], digest: elementDigest)
        for attachment in attachments {
            reference(percentEncoded(attachment.name), transforms: [], digest: try attachment.digest(algorithm.hash))
        }
        let value = xmlNewTextChild(signature, ns, "SignatureValue", "")
        let keyInfo = xmlNewChild(signature, ns, "KeyInfo", nil)
        let x509 = xmlNewChild(keyInfo, ns, "X509Data", nil)
        xmlNewTextChild(x509, ns, "X509Certificate", Data(try signer.certificate.derEncoded()).base64EncodedString())
        guard let signedInfo, let value else { throw XMLSignatureError.malformed("libxml2 failed") }

        let signatureValue = try signer.sign(algorithm.hash.hash(try tree.canonical(signedInfo)))
        xmlNodeSetContent(value, try algorithm.xmlSignatureValue(fromSignerOutput: signatureValue, key: signer.certificate.publicKey).base64)
        return try tree.serialized()
    }

    /// `Id` for a new Signature: e-Gov's form, the signing time as yyyyMMddHHmmss, made unique.
    static func signatureID(_ time: Date, taken: Set<String>) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMddHHmmss"
        let base = formatter.string(from: time)
        var candidate = base
        var counter = 1
        while taken.contains(candidate) {
            counter += 1
            candidate = base + "-\(counter)"
        }
        return candidate
    }

    /// `text` with every byte outside RFC 3986's unreserved characters percent-encoded (UTF-8), as e-Gov
    /// writes references: `構成情報` → `%E6%A7%8B%E6%88%90%E6%83%85%E5%A0%B1`.
    public static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// `text` with percent-escapes decoded; `nil` when they are not valid UTF-8.
    public static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.first {
            if byte == UInt8(ascii: "%"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
                utf8 = utf8.dropFirst()
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
}
