import APDU
import CardImages
import CardIO
import CardSession
import CMS
import Foundation
import JPKIApplet
import KenmenAP
import PDFSignature
import X509
import XMLSignature

/// Every parser of card or file data, grouped by what feeds them (fuzz/README.md has the table).
extension FuzzTarget {
    static let all: [FuzzTarget] = [tlv, cardFile, cvCertificate, textFiles, cardFace, cms, loginBundle, inputFiles, jpeg2000, pdf, xml]

    /// BER-TLV (every card file is parsed with it), command and response APDUs.
    static let tlv = FuzzTarget(name: "tlv", mutator: .tlv) { bytes in
        if let objects = try? TLV.parseAll(bytes) {
            for object in objects {
                // What is parsed encodes and parses back to the same object.
                precondition((try? TLV.parseFirst(object.encoded))?.0 == object, "TLV does not round-trip")
                if object.isConstructed { _ = try? TLV.parseAll(object.value) }
            }
        }
        if let (object, consumed) = try? TLV.parseFirst(bytes) {
            precondition(consumed <= bytes.count && object.value.count < consumed, "parseFirst consumed more than it was given")
        }
        if let command = try? CommandAPDU(bytes: bytes) {
            precondition((try? CommandAPDU(bytes: command.encoded())) == command, "a command does not round-trip")
        }
        if let response = try? ResponseAPDU(bytes: bytes) {
            _ = response.statusWord.meaning
            precondition(response.bytes == bytes, "a response does not round-trip")
        }
    }

    /// The certificate-length reader (CardSession.readTLVFile reads a file's header, then exactly what it
    /// claims) on a card whose every file is the input, and what reads certificates and the token label.
    static let cardFile = FuzzTarget(name: "card-file", mutator: .tlv) { bytes in
        let card = FileCard(bytes)
        if let read = try? CardSession(transport: card).readTLVFile(FileID(0x000A), name: "a fuzzed file") {
            precondition(read.count <= bytes.count && Array(bytes.prefix(read.count)) == read, "read more or other than the file")
        }
        if let jpki = try? JPKISession(transport: card) {
            if let certificate = try? jpki.certificate(.authentication) {
                _ = certificate.serialHex
                _ = certificate.serialDecimal
                _ = certificate.publicKeySummary
                _ = certificate.certificate.validity(at: certificate.certificate.notValidBefore)
            }
            _ = try? jpki.tokenLabel()
        }
    }

    /// The CV certificate (EF 0004 of the text and card-face applets), and the checks that use its key.
    static let cvCertificate = FuzzTarget(name: "cv-certificate", mutator: .tlv) { bytes in
        guard let certificate = try? CVCertificate(der: bytes) else { return }
        _ = certificate.issuerKeyIDText
        _ = certificate.isSigned(by: Fixtures.textRoot)
        _ = try? TextAuthenticityReport(myNumberFile: Fixtures.myNumberFile, basicInfo: Fixtures.basicInfo,
                                        signatureFile: Fixtures.textSignatureFile, certificate: certificate, root: Fixtures.textRoot)
        _ = FaceAuthenticityReport(face: Fixtures.cardFace, certificate: certificate, root: Fixtures.faceRoot)
    }

    /// The text applet's EF 0001 (My Number), EF 0002 (basic info) and EF 0003 (hashes and signature).
    static let textFiles = FuzzTarget(name: "text-files", mutator: .tlv) { bytes in
        if let number = try? MyNumber(file: bytes) {
            _ = number.hasValidCheckDigit
            _ = number.masked
            _ = number.grouped
        }
        if let info = try? BasicInfo(file: bytes) {
            _ = info.maskedName
            _ = info.maskedAddress
            _ = info.birthDate.description
            _ = info.description
        }
        _ = try? TextAuthenticityReport(myNumberFile: bytes, basicInfo: Fixtures.basicInfo, signatureFile: bytes,
                                        certificate: Fixtures.textCertificate, root: Fixtures.textRoot)
    }

    /// The card face (EF 0002 of the card-face applet), its signature check, and its photo as `mynacard face`
    /// treats it: decoded only when the card face is not found forged.
    static let cardFace = FuzzTarget(name: "card-face", mutator: .tlv) { bytes in
        guard let face = try? CardFace(file: bytes) else { return }
        let report = FaceAuthenticityReport(face: face, certificate: Fixtures.faceCertificate, root: Fixtures.faceRoot)
        if case .notGenuine = report.result { return }
        if let image = try? JPEG2000Decoder.decode(face.photo) { _ = try? PNGEncoder.encode(image) }
    }

    /// Detached CMS SignedData as `jpki verify --cms` reads it, and raw PKCS#1 signatures (the DigestInfo
    /// inside them is checked by swift-crypto) as `jpki verify` reads them.
    static let cms = FuzzTarget(name: "cms", mutator: .tlv) { bytes in
        if let document = try? DetachedCMSSignature(derEncoded: bytes) {
            _ = document.verify(contentDigest: document.hash.hash(Fixtures.signedContent),
                                signer: document.embeddedSignerCertificate ?? Fixtures.signCertificate)
        }
        for hash in JPKIHashAlgorithm.allCases {
            _ = RawSignature.verify(signature: bytes, contentDigest: hash.hash(Fixtures.signedContent), certificate: Fixtures.signCertificate)
        }
    }

    /// The login bundle `jpki login-verify` reads: JSON, its base64 certificate, signature and challenge.
    static let loginBundle = FuzzTarget(name: "login-bundle", mutator: .jsonFields) { bytes in
        guard let bundle = try? JSONDecoder().decode(LoginBundle.self, from: Data(bytes)) else { return }
        _ = try? Fixtures.loginVerifier.verify(bundle, at: Fixtures.moment)
        _ = try? Fixtures.loginVerifier.verify(bundle, expectedChallenge: Array("challenge".utf8), at: Fixtures.moment)
    }

    /// The files users give: certificates in PEM or DER (`--cert`, `--ca`), signature files (raw, base64,
    /// JSON), root keys (`--root`: a certificate, `PUBLIC KEY` or `RSA PUBLIC KEY` PEM), and hex.
    static let inputFiles = FuzzTarget(name: "input-files", mutator: .tlv) { bytes in
        if let certificate = try? CertificateFile.parse(bytes) {
            _ = certificate.subject.description
            _ = certificate.isIssued(by: certificate)
        }
        _ = SignatureFile(bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? rootPublicKey(pem: text)
        _ = [UInt8](hex: text)
    }

    /// The card-face photo's path: JPEG2000Header and the limits, then OpenJPEG (Debian's library, not
    /// instrumented: only what it does to our memory and time shows) and the PNG writer.
    static let jpeg2000 = FuzzTarget(name: "jpeg2000", mutator: .headerFields) { bytes in
        if let header = try? JPEG2000Header(bytes) { _ = try? JPEG2000Limits.cardPhoto.check(header) }
        if let image = try? JPEG2000Decoder.decode(bytes) {
            precondition(image.width <= JPEG2000Limits.cardPhoto.maximumWidth && image.height <= JPEG2000Limits.cardPhoto.maximumHeight)
            _ = try? PNGEncoder.encode(image)
        }
    }
}

extension FuzzTarget {
    /// The PDF a user gives `pdf check` or `pdf sign`: the cross-reference reader (tables, streams, object
    /// streams, Inflate), the signature check, and the incremental update `pdf sign` appends, read back.
    static let pdf = FuzzTarget(name: "pdf", mutator: .bytes) { bytes in
        guard let file = try? PDFFile(bytes: bytes) else { return }
        _ = try? file.signatureReports()
        guard (try? file.checkSignable()) != nil, let signed = try? file.signed(by: FixedSigner(), options: Fixtures.pdfSigning) else { return }
        _ = try? PDFFile(bytes: signed).signatureReports()
    }

    /// The XML a user gives `xml verify` (libxml2, Debian's and not instrumented, parses it; the signature
    /// check and its canonicalisation are ours), and `xml sign`'s signature, checked back.
    static let xml = FuzzTarget(name: "xml", mutator: .bytes) { bytes in
        let attachment = XMLAttachment(name: "委任状.pdf", bytes: Fixtures.signedContent)
        let lookUp: (String) -> XMLAttachment? = { $0 == attachment.name ? attachment : nil }
        _ = try? XMLSignature.verify(bytes, attachment: lookUp)
        guard (try? XMLSignature.checkSignable(bytes)) != nil,
              let signed = try? XMLSignature.sign(bytes, attachments: [attachment], with: FixedSigner(), signingTime: Fixtures.moment)
        else { return }
        _ = try? XMLSignature.verify(signed, attachment: lookUp)
    }
}

/// A signer for the PDF and XML writers: the TEST signing certificate, and a signature of the right length that
/// verifies with nothing (the writer embeds it; the check after it says it does not match).
struct FixedSigner: DigestSigner {
    var certificate: Certificate { Fixtures.signCertificate }
    var chain: [Certificate] { [] }
    func sign(_ digest: ComputedDigest) throws -> [UInt8] { [UInt8](repeating: 0x5A, count: 256) }
}

/// The TEST fixtures the targets check against, read once.
enum Fixtures {
    static let textRoot = try! rootPublicKey(pem: String(decoding: fixture("ca/text-root.pem"), as: UTF8.self))
    static let faceRoot = try! rootPublicKey(pem: String(decoding: fixture("ca/face-root.pem"), as: UTF8.self))
    static let textCertificate = try! CVCertificate(der: fixture("profiles/healthy/text/0004-cv-cert.bin"))
    static let faceCertificate = try! CVCertificate(der: fixture("profiles/healthy/face/0004-cv-cert.bin"))
    static let basicInfo = try! BasicInfo(file: fixture("profiles/healthy/text/0002-basic-info.bin"))
    static let cardFace = try! CardFace(file: fixture("profiles/healthy/face/0002-card-face.bin"))
    static let myNumberFile = fixture("profiles/healthy/text/0001-my-number.bin")
    static let textSignatureFile = fixture("profiles/healthy/text/0003-signature.bin")
    static let signCertificate = try! Certificate(derEncoded: fixture("profiles/healthy/jpki/sign-cert.der"))
    static let loginVerifier = LoginVerifier(trustStore: TrustStore(anchors: [try! TrustAnchor(der: fixture("profiles/healthy/jpki/auth-ca.der"))]))
    /// What make-seeds.py signs in its CMS seeds.
    static let signedContent = Array("署名される文書 (fuzz/make-seeds.py signs these bytes)".utf8)
    /// A fixed moment and zone for what `pdf sign` writes, so that a finding replays.
    static let pdfSigning = PDFSigningOptions(name: "TEST", signingTime: moment, timeZone: TimeZone(identifier: "Asia/Tokyo") ?? .current)
    /// A moment inside the fixtures' validity.
    static let moment = Date(timeIntervalSince1970: 1_800_000_000)
}

/// A card whose every file holds the fuzz input: SELECT always succeeds, READ BINARY reads the input as
/// the card does (`62 82` at the end, `6B 00` past it).
final class FileCard: CardTransport {
    let file: [UInt8]
    let readerName = "fuzz"
    let atr: [UInt8] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]
    let isCardPresent = true
    init(_ file: [UInt8]) { self.file = file }
    func beginTransaction() throws {}
    func endTransaction() throws {}

    func transmitRaw(_ bytes: [UInt8]) throws -> [UInt8] {
        let command = try CommandAPDU(bytes: bytes)
        guard command.ins == 0xB0 else { return [0x90, 0x00] }
        let offset = Int(command.p1 & 0x7F) << 8 | Int(command.p2)
        guard offset < file.count else { return [0x6B, 0x00] }
        let wanted = command.expectedLength ?? 256
        let end = min(file.count, offset + wanted)
        return Array(file[offset..<end]) + (end - offset < wanted ? [0x62, 0x82] : [0x90, 0x00])
    }
}
