import Foundation

/// What the page shows, as the server pushes it (one JSON object per change). Labels are the page's: the
/// server sends codes, and the page words them in its language; `detail`/`reason` texts are the library's own
/// English, shown as small print.
struct PageState: Encodable, Sendable {
    /// Where the desk is: `no-service`, `no-reader`, `insert-card`, `reading`, `card`, `unlocking`.
    var phase: Phase
    /// The reader the card sits in.
    var reader: String?
    /// What was read without a PIN.
    var card: CardOverview?
    /// What PIN-A or PIN-B opened.
    var face: FaceView?
    /// The last thing that went wrong with the card (a wrong PIN, a card that could not be read).
    var notice: Notice?
    /// The one green/red line.
    var summary: Summary

    enum Phase: String, Encodable, Sendable {
        case noService = "no-service", noReader = "no-reader", insertCard = "insert-card", reading, card, unlocking
    }

    /// A screen with nothing from any card on it.
    static func empty(_ phase: Phase, reader: String? = nil) -> PageState {
        PageState(phase: phase, reader: reader, card: nil, face: nil, notice: nil, summary: Summary(status: .none, reasons: []))
    }
}

/// What needs no PIN: the card's kind, its certificates, every PIN counter, and the chip check as far as it goes.
struct CardOverview: Encodable, Sendable {
    var atr: String
    /// How the card is connected, as the ATR tells: `contact`, `contactless` (made up by an NFC reader) or `other`.
    var atrKind: String
    /// Which card the ATR is known for: `my-number-card`, `resident-registry-card` or `unknown`.
    var atrCard: String
    /// Applet → present.
    var applets: [String: Bool]
    /// What the applets say this card is (`CardDiagnosis.code`): `my-number-card`, `smartphone`,
    /// `resident-registry-card`, `missing-applets` or `not-current-generation`.
    var card: String
    var certificates: [CertificateLine]
    var pins: [PINLine]
    /// Before a PIN: not checked, and why.
    var chip: Verdict
}

struct CertificateLine: Encodable, Sendable {
    /// `auth`, `auth-ca`, `sign-ca`.
    var id: String
    /// `valid`, `expired`, `not-yet-valid` or `unreadable`.
    var status: String
    var notBefore: String?
    var notAfter: String?
    var detail: String?
}

struct PINLine: Encodable, Sendable {
    /// `auth`, `sign`, `text`, `text-a`, `text-b`, `face-a`, `face-b`, `juki`.
    var pin: String
    /// `ok`, `last-try`, `blocked`, `verified` or `unknown`.
    var status: String
    var triesLeft: Int?
    var maximumTries: Int
}

/// The card face, from the card in memory: images as `data:` URLs, never files.
struct FaceView: Encodable, Sendable {
    /// `pin-a` or `pin-b`.
    var method: String
    var photo: String
    var name: String
    var address: String
    var birthDate: String
    /// ISO 5218 code: `1` male, `2` female, `9` not applicable, `0` not known.
    var sex: String
    var expiryDate: String
    /// Signed by J-LIS's keys?
    var data: Verdict
    /// Is this the chip the data was issued on?
    var chip: Verdict
}

/// `genuine`, `not-genuine` or `cannot-check`, with the library's reason.
struct Verdict: Encodable, Sendable, Equatable {
    var result: String
    var reason: String?
}

/// Something about the last card operation: `pin-wrong`, `pin-blocked`, `pin-last-try-refused`, `pin-invalid`,
/// `card-removed`, `card-error`, `busy`, `no-card`.
struct Notice: Encodable, Sendable {
    var kind: String
    var pin: String?
    var triesLeft: Int?
    var detail: String?
}

/// Green only when everything checked is right and both the card face's data and its chip are genuine; red when
/// anything is wrong; `pending` until then; `none` with no card.
struct Summary: Encodable, Sendable {
    enum Status: String, Encodable, Sendable { case none, pending, green, red }
    var status: Status
    var reasons: [Reason]

    /// Why the summary is not green: a code the page words, and what it is about.
    struct Reason: Encodable, Sendable {
        /// `card-kind` (not a My Number card: the subject says what it is), `certificate-problem`, `pin-blocked`,
        /// `data-not-genuine`, `chip-not-genuine`, `data-cannot-check`, `chip-not-checked`, `pin-needed`.
        var code: String
        var subject: String?
        var detail: String?
    }

    /// The summary for what is known of a card.
    static func of(_ card: CardOverview?, face: FaceView?) -> Summary {
        guard let card else { return Summary(status: .none, reasons: []) }
        var red: [Reason] = []
        var pending: [Reason] = []
        let myNumberCard = card.card == "my-number-card"
        if !myNumberCard { red.append(Reason(code: "card-kind", subject: card.card)) }
        for line in card.certificates where line.status != "valid" {
            red.append(Reason(code: "certificate-problem", subject: line.id, detail: line.status))
        }
        for pin in card.pins where pin.status == "blocked" {
            red.append(Reason(code: "pin-blocked", subject: pin.pin))
        }
        if let face {
            switch face.data.result {
            case "genuine": break
            case "not-genuine": red.append(Reason(code: "data-not-genuine", detail: face.data.reason))
            default: pending.append(Reason(code: "data-cannot-check", detail: face.data.reason))
            }
            switch face.chip.result {
            case "genuine": break
            case "not-genuine": red.append(Reason(code: "chip-not-genuine", detail: face.chip.reason))
            default: pending.append(Reason(code: "chip-not-checked", detail: face.chip.reason))
            }
        } else if myNumberCard {
            pending.append(Reason(code: "pin-needed"))
        }
        if !red.isEmpty { return Summary(status: .red, reasons: red + pending) }
        if !pending.isEmpty { return Summary(status: .pending, reasons: pending) }
        return Summary(status: .green, reasons: [])
    }
}
