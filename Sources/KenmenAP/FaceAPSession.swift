import APDU
import CardIO
import CardSession
import _CryptoExtras

/// A session with the 券面AP (card-face applet). Each method selects what it needs.
public struct FaceAPSession {
    /// The underlying ISO 7816 session.
    public let session: CardSession

    /// Opens a session on `transport` and selects the card-face applet.
    public init(transport: any CardTransport) throws {
        try self.init(session: CardSession(transport: transport))
    }

    /// Opens a card-face session on an existing card session (sharing its operation) and selects the applet,
    /// unless `selected` says it is the current applet already.
    public init(session: CardSession, selected: Bool = false) throws {
        self.session = session
        if !selected { try session.select(.cardFace) }
    }

    /// A card-face PIN's retry counter (``PINKind/faceMyNumber`` or ``PINKind/faceBirthExpiryCode``), read without spending a try.
    public func pinStatus(_ kind: PINKind) throws -> PINStatus {
        try session.pinStatus(face(kind))
    }

    /// Verifies PIN-A (the My Number) or PIN-B in hand, inside the current operation, with the guard of
    /// ``CardSession/verifyPIN(_:kind:force:)``.
    public func verify(_ kind: PINKind, pin: PINCode, force: Bool = false) throws {
        try session.verifyPIN(pin, kind: face(kind), force: force)
    }

    /// `kind`, which must be one of this applet's PINs (a programming error otherwise).
    private func face(_ kind: PINKind) -> PINKind {
        precondition(kind.applet == .cardFace, "\(kind) is not a card-face PIN")
        return kind
    }

    /// The card face. Needs PIN-A or PIN-B verified.
    public func cardFace() throws -> CardFace {
        try CardFace(file: protected(.faceBirthExpiryCode) { try session.readTLVFile(FaceAPFiles.cardFace, name: "the card face") })
    }

    /// The My Number as printed: a PNG image. Needs PIN-A verified (PIN-B does not open it).
    public func myNumberImage() throws -> [UInt8] {
        let file = try protected(.faceMyNumber) { try session.readTLVFile(FaceAPFiles.myNumberImage, name: "the My Number image") }
        let outer: TLV
        do { outer = try TLV.parseFirst(file).0 } catch {
            throw CardSessionError.malformedData("the My Number image file (EF 0005) is not TLV data: \(error)")
        }
        guard outer.tag == 0xFF40, let image = (try? TLV.parseAll(outer.value))?.first(tag: 0xDF41) else {
            throw CardSessionError.malformedData("the My Number image file (EF 0005) has no FF40/DF41 image")
        }
        return image.value
    }

    /// The CV certificate (EF 0004) of the key that signed the card face. Free to read.
    public func certificate() throws -> CVCertificate {
        try CVCertificate(der: session.readTLVFile(FaceAPFiles.certificate, name: "the card-face key certificate"))
    }

    /// Checks `face` against its signature (DF28) and the key certificate, and that certificate against
    /// `root` when one is given.
    public func authenticity(of face: CardFace, root: _RSA.Signing.PublicKey?) throws -> FaceAuthenticityReport {
        FaceAuthenticityReport(face: face, certificate: try certificate(), root: root)
    }

    /// Checks that the chip holds the card key `face` names (DF24): a random challenge, signed by the chip without
    /// any PIN, must verify with it. `data` is the card face's authenticity report: only a key DF28 covers counts, so
    /// a card face whose DF28 does not verify (its data verdict: not genuine) leaves the chip not checked. Selects the
    /// applet again first (the challenge goes to the selected applet), which ends its PINs' verified state: read
    /// everything needed before.
    public func chipAuthenticity(of face: CardFace, data: FaceAuthenticityReport) throws -> ChipAuthenticityReport {
        let place = "the card face (DF24)"
        guard data.signatureMatchesCardKey else {
            return ChipAuthenticityReport(challengeSignatureVerifies: nil, result: .cannotCheck(
                reason: "the card key in \(place) is not covered by a valid signature (DF28), so a chip that signs with it proves nothing"))
        }
        let cardKey = try cardPublicKey(face.cardKey, in: place)
        try session.select(.cardFace)
        return try ChipAuthenticityReport.challenge(session, cardKey: cardKey, where: place)
    }

    private func protected<T>(_ kind: PINKind, _ body: () throws -> T) throws -> T {
        do { return try body() } catch CardSessionError.card(let status, let during) where status == .securityStatusNotSatisfied {
            throw CardSessionError.pinRequired(kind, during: during)
        }
    }
}
