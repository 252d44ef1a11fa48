import CLibXML2
import CMS
import Foundation
import X509

/// One reference of a signature and whether what it points to is unchanged.
public struct XMLReferenceReport: Equatable, Sendable {
    /// The reference's URI as written.
    public let uri: String
    /// What it names: `#ID` for an element, or the decoded file name.
    public let target: String
    /// Whether the digest matches.
    public let matches: Bool
    /// What was found.
    public let detail: String
}

/// A signature found in an XML document and how it fares.
public struct XMLSignatureReport: Sendable {
    /// The Signature's `Id`.
    public let id: String?
    /// The certificate in `KeyInfo/X509Data`.
    public let signerCertificate: Certificate?
    /// The SignatureMethod, when supported.
    public let algorithm: SignatureAlgorithm?
    /// Every reference, in order.
    public let references: [XMLReferenceReport]
    /// Problems with the signature itself (algorithms, its value); empty when it verifies.
    public let problems: [String]

    /// Whether the SignedInfo's signature verifies and every reference matches.
    public var isValid: Bool { problems.isEmpty && !references.isEmpty && references.allSatisfy(\.matches) }
}

extension XMLSignature {
    /// Checks every Signature in `document`: the SignedInfo's signature against the certificate it carries
    /// (RSA or ECDSA), and each reference's digest. Files are looked up by their decoded names with
    /// `attachment`, which returns nil for a file that is not there. Trust in the certificate is the caller's.
    public static func verify(_ document: [UInt8], attachment: (String) throws -> XMLAttachment?) throws -> [XMLSignatureReport] {
        let tree = try XMLTree(document)
        return try tree.elements().filter { XMLTree.name($0) == "Signature" && XMLTree.namespace($0) == namespace }.map { signature in
            try check(signature, in: tree, attachment: attachment)
        }
    }

    private static func check(_ signature: xmlNodePtr, in tree: XMLTree,
                              attachment: (String) throws -> XMLAttachment?) throws -> XMLSignatureReport {
        var problems: [String] = []
        func child(_ node: xmlNodePtr?, _ name: String) -> xmlNodePtr? {
            node.flatMap { XMLTree.children($0, named: name, namespace: namespace).first }
        }
        let signedInfo = child(signature, "SignedInfo")
        let certificateText = child(child(child(signature, "KeyInfo"), "X509Data"), "X509Certificate").map(XMLTree.text)
        let certificate = certificateText.flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }
            .flatMap { try? Certificate(derEncoded: Array($0)) }
        if certificate == nil { problems.append("it carries no usable KeyInfo/X509Data/X509Certificate") }
        let canonicalization = child(signedInfo, "CanonicalizationMethod").flatMap { XMLTree.attribute($0, "Algorithm") }
        if canonicalization != c14n { problems.append("its CanonicalizationMethod is \(canonicalization ?? "missing"), not Canonical XML 1.0") }
        let methodURI = child(signedInfo, "SignatureMethod").flatMap { XMLTree.attribute($0, "Algorithm") }
        let algorithm = methodURI.flatMap(SignatureAlgorithm.init(xmlSignatureMethod:))
        if algorithm == nil { problems.append("its SignatureMethod \(methodURI ?? "(missing)") is not RSA or ECDSA with SHA-2") }

        var references: [XMLReferenceReport] = []
        for reference in signedInfo.map({ XMLTree.children($0, named: "Reference", namespace: namespace) }) ?? [] {
            references.append(try checkReference(reference, signature: signature, in: tree, attachment: attachment))
        }
        if references.isEmpty { problems.append("its SignedInfo has no Reference") }

        if let signedInfo, let algorithm, let certificate, canonicalization == c14n {
            let value = child(signature, "SignatureValue").map(XMLTree.text)
                .flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }.map(Array.init) ?? []
            let digest = algorithm.hash.hash(try tree.canonical(signedInfo))
            if !algorithm.isValid(signature: value, for: digest, by: certificate.publicKey) {
                problems.append("the SignatureValue does not match the certificate's key (the SignedInfo or the signature was changed, or another key signed)")
            }
        }
        return XMLSignatureReport(id: XMLTree.attribute(signature, "Id"), signerCertificate: certificate, algorithm: algorithm,
                                  references: references, problems: problems)
    }

    private static func checkReference(_ reference: xmlNodePtr, signature: xmlNodePtr, in tree: XMLTree,
                                       attachment: (String) throws -> XMLAttachment?) throws -> XMLReferenceReport {
        let uri = XMLTree.attribute(reference, "URI") ?? ""
        func report(_ target: String, _ matches: Bool, _ detail: String) -> XMLReferenceReport {
            XMLReferenceReport(uri: uri, target: target, matches: matches, detail: detail)
        }
        let methodURI = XMLTree.children(reference, named: "DigestMethod", namespace: namespace).first.flatMap { XMLTree.attribute($0, "Algorithm") }
        guard let hash = JPKIHashAlgorithm.allCases.first(where: { digestMethod($0) == methodURI }) else {
            return report(uri, false, "its DigestMethod \(methodURI ?? "(missing)") is not SHA-256, SHA-384 or SHA-512")
        }
        let expected = XMLTree.children(reference, named: "DigestValue", namespace: namespace).first.map(XMLTree.text)
            .flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }.map(Array.init)
        let transforms = XMLTree.children(reference, named: "Transforms", namespace: namespace).first
            .map { XMLTree.children($0, named: "Transform", namespace: namespace).compactMap { XMLTree.attribute($0, "Algorithm") } } ?? []
        guard let name = percentDecoded(uri) else { return report(uri, false, "its URI is not valid percent-encoded UTF-8") }
        let actual: ComputedDigest
        if name.hasPrefix("#") {
            let id = String(name.dropFirst())
            guard transforms.allSatisfy({ $0 == c14n || $0 == envelopedSignature }) else {
                return report(name, false, "it uses transforms other than Canonical XML 1.0 and enveloped-signature")
            }
            let element: xmlNodePtr
            do { element = try tree.element(withID: id) } catch { return report(name, false, "\(error)") }
            actual = hash.hash(try tree.canonical(element, excluding: transforms.contains(envelopedSignature) ? signature : nil))
        } else {
            guard transforms.isEmpty else { return report(name, false, "a file reference with transforms is not supported") }
            guard !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
                return report(name, false, "it names something other than a file next to the XML")
            }
            guard let file = try attachment(name) else { return report(name, false, "the file \(name) is missing") }
            actual = try file.digest(hash)
        }
        guard let expected, expected == actual.bytes else {
            return report(name, false, name.hasPrefix("#") ? "the element \(name) was changed after signing" : "the file \(name) was changed after signing")
        }
        return report(name, true, "\(hash.rawValue.uppercased()) digest matches")
    }
}
