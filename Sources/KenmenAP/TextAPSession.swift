import APDU
import CardIO
import CardSession
import _CryptoExtras

/// What the text applet (券面事項入力補助AP) holds, read after its PIN.
public struct TextAPData: Sendable {
    /// 個人番号.
    public let myNumber: MyNumber
    /// 基本4情報.
    public let basicInfo: BasicInfo
    /// The authenticity check of both.
    public let authenticity: TextAuthenticityReport
}

/// A session with the 券面事項入力補助AP (text applet): My Number and the 4 basic info as text, and
/// their authenticity data. Each method selects what it needs.
public struct TextAPSession {
    /// The underlying ISO 7816 session.
    public let session: CardSession

    /// Opens a session on `transport` and selects the text applet.
    /// - Throws: ``CardSessionError/appletNotFound(applet:aid:)`` when the card has no text applet.
    public init(transport: any CardTransport) throws {
        try self.init(session: CardSession(transport: transport))
    }

    /// Opens a text-applet session on an existing card session (sharing its operation) and selects the applet,
    /// unless `selected` says it is the current applet already.
    public init(session: CardSession, selected: Bool = false) throws {
        self.session = session
        if !selected { try session.select(.textInputAssist) }
    }

    /// The text PIN's retry counter, read without spending a try.
    public func pinStatus() throws -> PINStatus {
        try session.pinStatus(.textInputAssist)
    }

    /// Verifies the text PIN in hand, inside the current operation, with the guard of ``CardSession/verifyPIN(_:kind:force:)``.
    public func verifyPIN(_ pin: PINCode, force: Bool = false) throws {
        try session.verifyPIN(pin, kind: .textInputAssist, force: force)
    }

    /// Changes the text PIN in hand after verifying the current one, inside the current operation (CHANGE
    /// REFERENCE DATA on EF 0011, as jpki/myna's ChangeCardInputHelperPin does; see docs/card-facts.md).
    public func changePIN(current: PINCode, new: PINCode, force: Bool = false) throws {
        try session.changePIN(.textInputAssist, current: current, new: new, force: force)
    }

    /// EF 0001 as stored (17 bytes, including the `FF` filler the authenticity hash covers).
    public func myNumberFile() throws -> [UInt8] {
        try protected {
            try session.selectFile(TextAPFiles.myNumber, name: "the My Number file")
            return try session.readBinary(length: TextAPFiles.myNumberFileSize, name: "the My Number file")
        }
    }

    /// The holder's My Number. Needs the text PIN verified.
    public func myNumber() throws -> MyNumber {
        try MyNumber(file: myNumberFile())
    }

    /// The 4 basic info. Needs the text PIN verified.
    public func basicInfo() throws -> BasicInfo {
        try BasicInfo(file: protected { try session.readTLVFile(TextAPFiles.basicInfo, name: "the basic info file") })
    }

    /// The CV certificate of the key that signed the data (free to read).
    public func certificate() throws -> CVCertificate {
        try CVCertificate(der: session.readTLVFile(TextAPFiles.certificate, name: "the text applet's key certificate"))
    }

    /// The card's own public key, with the data-signing key's signature over it (EF 0007). Needs the text PIN
    /// (or PIN-A or PIN-B) verified.
    public func signedCardKey() throws -> SignedCardKey {
        try SignedCardKey(file: protected { try session.readTLVFile(TextAPFiles.cardKey, name: "the card key file") })
    }

    /// Checks that the chip holds the card key EF 0007 names: the key must carry a valid signature by
    /// `certificate`'s key (EF 0004) — nothing else vouches for it, so a key without one is not genuine — and a random
    /// challenge, signed by the chip without any PIN, must verify with it. Needs the text PIN (or PIN-A or PIN-B)
    /// verified, to read EF 0007. Selects the applet again before the challenge, which ends the PIN's verified
    /// state: read everything needed before.
    public func chipAuthenticity(certificate: CVCertificate) throws -> ChipAuthenticityReport {
        let signed = try signedCardKey()
        let place = "the text applet's card key file (EF 0007)"
        guard signed.isSigned(by: certificate) else {
            return ChipAuthenticityReport(challengeSignatureVerifies: nil, result: .notGenuine(
                reason: "\(place) is not signed by the card's data-signing key (EF 0004): the card key was replaced"))
        }
        let cardKey = try cardPublicKey(signed.publicKey, in: place)
        try session.select(.textInputAssist)
        return try ChipAuthenticityReport.challenge(session, cardKey: cardKey, where: place)
    }

    /// Reads everything and checks its authenticity, against `root` when given. Needs the text PIN verified.
    public func readAll(root: _RSA.Signing.PublicKey?) throws -> TextAPData {
        let numberFile = try myNumberFile()
        let myNumber = try MyNumber(file: numberFile)
        let basicInfo = try basicInfo()
        let signature = try protected { try session.readTLVFile(TextAPFiles.authenticity, name: "the authenticity file") }
        let report = try TextAuthenticityReport(myNumberFile: numberFile, basicInfo: basicInfo, signatureFile: signature,
                                                certificate: certificate(), root: root)
        return TextAPData(myNumber: myNumber, basicInfo: basicInfo, authenticity: report)
    }

    /// Turns "security status not satisfied" into "verify the text PIN first".
    private func protected<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch CardSessionError.card(let status, let during) where status == .securityStatusNotSatisfied {
            throw CardSessionError.pinRequired(.textInputAssist, during: during)
        }
    }
}
