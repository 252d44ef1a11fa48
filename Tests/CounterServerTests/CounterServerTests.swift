import CardSession
@testable import CounterServer
import Testing

/// The counter page's form: PIN-A or PIN-B from what staff type, straight from the request's bytes.
@Suite("Counter page unlock form")
struct UnlockFormTests {
    private func digits(_ form: UnlockForm) -> String {
        form.pin.withBytes { String(decoding: $0, as: UTF8.self) }
    }

    @Test("PIN-B from the card face: the birth year becomes the era year, or with the switch the Western year")
    func pinB() throws {
        let japanese = try UnlockForm(body: Array("method=pin-b&birthDate=1990-01-01&expiryYear=2035&securityCode=4821".utf8))
        #expect(japanese.kind == .faceBirthExpiryCode)
        #expect(digits(japanese) == "02010120354821")
        let foreign = try UnlockForm(body: Array("method=pin-b&birthDate=1990-01-01&expiryYear=2035&securityCode=4821&foreignResident=1".utf8))
        #expect(digits(foreign) == "90010120354821")
    }

    @Test("PIN-A is the My Number")
    func pinA() throws {
        let form = try UnlockForm(body: Array("method=pin-a&myNumber=123456789018".utf8))
        #expect(form.kind == .faceMyNumber)
        #expect(digits(form) == "123456789018")
    }

    @Test("a form that cannot make a PIN is refused, and the reason never repeats a value", arguments: [
        "method=pin-b&birthDate=1990-02-30&expiryYear=2035&securityCode=4821",  // no such day
        "method=pin-b&birthDate=1990-01-01&expiryYear=2035&securityCode=482",   // 3 digits
        "method=pin-b&birthDate=1990-01-01&expiryYear=35&securityCode=4821",    // 2-digit year
        "method=pin-b&birthDate=1990-01-01&securityCode=4821",                  // no expiry year
        "method=pin-b&birthDate=1990%2D01-01&expiryYear=2035&securityCode=4821", // percent-encoded
        "method=pin-a&myNumber=1234 5678",                                      // a space
        "method=pin-a&myNumber=1&myNumber=2",                                   // a field twice
        "method=pin-c&myNumber=123456789018",                                   // no such method
        "myNumber=123456789018",                                                // no method
    ])
    func refused(body: String) {
        #expect(throws: UnlockForm.Invalid.self) { try UnlockForm(body: Array(body.utf8)) }
        do { _ = try UnlockForm(body: Array(body.utf8)) } catch {
            #expect(!error.reason.contains("4821") && !error.reason.contains("1234"))
        }
    }
}

/// The one green/red line.
@Suite("Counter page summary")
struct SummaryTests {
    private func card(_ card: String = "my-number-card", pins: [(String, String)] = [("auth", "ok")], certificate: String = "valid") -> CardOverview {
        CardOverview(atr: "3BDA13FF8131FB468012392F31C173C601C03B", atrKind: "contact", atrCard: "my-number-card",
                     applets: ["jpki": true, "text": true, "face": true, "juki": true], card: card,
                     certificates: [CertificateLine(id: "auth", status: certificate)],
                     pins: pins.map { PINLine(pin: $0.0, status: $0.1, triesLeft: $0.1 == "blocked" ? 0 : 3, maximumTries: 3) },
                     chip: Verdict(result: "cannot-check", reason: "needs a PIN"))
    }

    private func face(data: String = "genuine", chip: String = "genuine") -> FaceView {
        FaceView(method: "pin-b", photo: "", name: "", address: "", birthDate: "1990-01-01", sex: "1", expiryDate: "2035-01-01",
                 data: Verdict(result: data), chip: Verdict(result: chip))
    }

    @Test("no card: nothing; a healthy card before a PIN: not yet checked, asking for PIN-B")
    func beforePIN() {
        #expect(Summary.of(nil, face: nil).status == .none)
        let summary = Summary.of(card(), face: nil)
        #expect(summary.status == .pending)
        #expect(summary.reasons.map(\.code) == ["pin-needed"])
    }

    @Test("green only when the card face's data and its chip are both genuine and nothing else is wrong")
    func green() {
        #expect(Summary.of(card(), face: face()).status == .green)
        #expect(Summary.of(card(), face: face(data: "cannot-check")).status == .pending)
        #expect(Summary.of(card(pins: [("auth", "last-try")]), face: face()).status == .green, "a last try is shown in the counters, not a fault")
    }

    @Test("red with the reason: a blocked PIN, an expired certificate, a chip or data that is not genuine")
    func red() {
        let blocked = Summary.of(card(pins: [("auth", "blocked")]), face: face())
        #expect(blocked.status == .red)
        #expect(blocked.reasons.map(\.code) == ["pin-blocked"])
        #expect(blocked.reasons.first?.subject == "auth")
        #expect(Summary.of(card(certificate: "expired"), face: face()).reasons.map(\.code) == ["certificate-problem"])
        #expect(Summary.of(card(), face: face(chip: "not-genuine")).reasons.map(\.code) == ["chip-not-genuine"])
        #expect(Summary.of(card(), face: face(data: "not-genuine", chip: "cannot-check")).reasons.map(\.code) == ["data-not-genuine", "chip-not-checked"])
        let resident = Summary.of(card("resident-registry-card"), face: nil)
        #expect(resident.status == .red)
        #expect(resident.reasons.map(\.code) == ["card-kind"], "no PIN is asked of a card that is not a My Number card")
        #expect(resident.reasons.first?.subject == "resident-registry-card")
    }
}

@Suite("Counter page language")
struct PageLanguageTests {
    @Test("Japanese when the locale says so, else English")
    func fromLocale() {
        #expect(PageLanguage.fromLocale(["LANG": "ja_JP.UTF-8"]) == .ja)
        #expect(PageLanguage.fromLocale(["LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"]) == .en)
        #expect(PageLanguage.fromLocale(["LC_ALL": "", "LANG": "ja_JP.UTF-8"]) == .ja)
        #expect(PageLanguage.fromLocale([:]) == .en)
    }
}
