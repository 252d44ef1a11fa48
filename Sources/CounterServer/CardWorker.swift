import APDU
import CardImages
import CardIO
import CardSession
import Dispatch
import Foundation
import JPKIApplet
import KenmenAP
import X509
import _CryptoExtras

/// Runs the card operations, one at a time, on a thread of their own (PC/SC calls block), each a card operation
/// of the library (``CardOperation``): one transaction that ends with the operation, so no transaction is held
/// while a person types a PIN, and a PIN verified in it is logged out when it ends (the card is not reset under
/// other programs' feet).
final class CardWorker: Sendable {
    private let queue = DispatchQueue(label: "mynacard.counter.card")
    private let faceRoot: _RSA.Signing.PublicKey?

    init(faceRoot: _RSA.Signing.PublicKey?) {
        self.faceRoot = faceRoot
    }

    /// Runs `body` on the card in `reader`, off the server's threads; `body`'s card operations take the card.
    private func withCard<T: Sendable>(_ reader: String, _ body: @escaping @Sendable (CardSession) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result {
                    let context = try PCSCContext()
                    let card = try context.connect(to: reader)
                    defer { card.disconnect() }
                    return try body(CardSession(transport: card))
                })
            }
        }
    }

    /// Everything that needs no PIN: the card's kind, its applets, its certificates, every PIN counter.
    func inspect(_ reader: String) async throws -> CardOverview {
        try await withCard(reader) { session in try session.operation {
            let card = session.transport
            var present: Set<CardApplet> = []
            for applet in CardApplet.allCases where try session.hasApplet(applet.aid) { present.insert(applet) }
            var certificates: [CertificateLine] = []
            var pins: [PINLine] = []
            var token: JPKITokenKind?
            if present.contains(.jpki) {
                let jpki = try JPKISession(session: session)
                token = (try? jpki.tokenLabel()).map(JPKITokenKind.init(label:))
                certificates = Self.certificates(jpki)
                pins = try Self.pinLines(session)
            }
            let atr = CardATR(card.atr)
            return CardOverview(atr: card.atr.hexString, atrKind: atr.interface.rawValue, atrCard: atr.card.rawValue,
                                applets: Dictionary(uniqueKeysWithValues: CardApplet.allCases.map { ($0.rawValue, present.contains($0)) }),
                                card: CardDiagnosis(applets: present, token: token).code, certificates: certificates, pins: pins,
                                chip: Verdict(result: "cannot-check", reason: Self.chipNeedsPIN))
        } }
    }

    /// Why the chip cannot be checked before a PIN (docs/card-facts.md, "Internal authentication").
    static let chipNeedsPIN = "the chip signs a challenge without a PIN, but the card key to check it with is only in data "
        + "that PIN-A or PIN-B opens"

    /// What happened when the card face was opened: the face and every PIN counter after the try, or why not.
    struct Unlocked: Sendable {
        var face: FaceView?
        var pins: [PINLine]
        var notice: Notice?
    }

    /// Verifies `pin` (PIN-A or PIN-B of the card face) with the guard that never spends the last try, reads the
    /// card face, checks its data and its chip, and reads every PIN counter again (a wrong try shows at once).
    /// The PIN is wiped when the operation ends.
    func unlock(_ reader: String, kind: PINKind, pin handedOver: PINHandOver) async throws -> Unlocked {
        let root = faceRoot
        return try await withCard(reader) { session in
            var result = Unlocked(face: nil, pins: [], notice: nil)
            do {
                result.face = try session.withPIN(kind, force: false, entry: .inHand(handedOver.pin)) {
                    try Self.faceView(FaceAPSession(session: session, selected: true), kind: kind, root: root)
                }
            } catch let error as CardSessionError {
                result.notice = Self.notice(for: error)
            } catch let error as ImageError {
                result.notice = Notice(kind: "card-error", detail: "the photo could not be decoded: \(error)")
            }
            result.pins = try session.operation { try Self.pinLines(session) }
            return result
        }
    }

    /// The card face, its data's and its chip's verdicts, read with PIN-A or PIN-B verified.
    private static func faceView(_ session: FaceAPSession, kind: PINKind, root: _RSA.Signing.PublicKey?) throws -> FaceView {
        let face = try session.cardFace()
        let data = try session.authenticity(of: face, root: root)
        let chip = try session.chipAuthenticity(of: face, data: data)
        return FaceView(
            method: kind == .faceMyNumber ? "pin-a" : "pin-b",
            photo: try Self.dataURL(PNGEncoder.encode(JPEG2000Decoder.decode(face.photo))),
            name: Self.dataURL(face.nameImage), address: Self.dataURL(face.addressImage),
            birthDate: face.birthDate.description, sex: face.sex.rawValue, expiryDate: face.expiryDate.description,
            data: Verdict(result: data.result.code, reason: data.result.reason),
            chip: Verdict(result: chip.result.code, reason: chip.result.reason))
    }

    /// A PNG's bytes as a `data:` URL, so that the page shows it straight from memory.
    private static func dataURL(_ png: [UInt8]) -> String {
        "data:image/png;base64," + Data(png).base64EncodedString()
    }

    private static func pinLines(_ session: CardSession) throws -> [PINLine] {
        try session.pinCounters().map {
            PINLine(pin: $0.kind.rawValue, status: $0.statusCode, triesLeft: $0.status?.triesLeft, maximumTries: $0.kind.maximumTries)
        }
    }

    /// The JPKI certificates anyone may read, with their validity today.
    private static func certificates(_ jpki: JPKISession) -> [CertificateLine] {
        let now = Date()
        return [JPKICertificateKind.authentication, .authenticationCA, .signingCA].map { kind in
            do {
                let certificate = try jpki.certificate(kind).certificate
                let status = switch certificate.validity(at: now) {
                case .valid: "valid"
                case .expired: "expired"
                case .notYetValid: "not-yet-valid"
                }
                return CertificateLine(id: kind.rawValue, status: status, notBefore: day(certificate.notValidBefore),
                                       notAfter: day(certificate.notValidAfter), detail: nil)
            } catch {
                return CertificateLine(id: kind.rawValue, status: "unreadable", detail: "\(error)")
            }
        }
    }

    private static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .current).year().month().day())
    }

    /// What the page is told about a failed PIN try or card read (never the PIN).
    static func notice(for error: CardSessionError) -> Notice {
        switch error {
        case .wrongPIN(let kind, let left): Notice(kind: "pin-wrong", pin: kind.rawValue, triesLeft: left, detail: "\(error)")
        case .pinBlocked(let kind): Notice(kind: "pin-blocked", pin: kind.rawValue, triesLeft: 0, detail: "\(error)")
        case .lastTryRefused(let kind): Notice(kind: "pin-last-try-refused", pin: kind.rawValue, triesLeft: 1, detail: "\(error)")
        case .invalidPINFormat(let kind, _): Notice(kind: "pin-invalid", pin: kind.rawValue, detail: "\(error)")
        case .pinTryInterrupted(let kind, _): Notice(kind: "pin-interrupted", pin: kind.rawValue, detail: "\(error)")
        default: Notice(kind: "card-error", detail: "\(error)")
        }
    }
}

/// A PIN handed from the request that brought it to the card thread: only one of them holds it at a time
/// (a ``PINCode`` is immutable once made, and wiped when the last reference goes).
struct PINHandOver: @unchecked Sendable {
    let pin: PINCode
}
