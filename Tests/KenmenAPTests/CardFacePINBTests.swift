import CardSession
import Foundation
import KenmenAP
import Testing

/// A fixed "today" for the builder's checks: 2026-06-15 12:00 UTC (the same day in every time zone within ±12 h).
private let today = Date(timeIntervalSince1970: 1_781_524_800)

private func date(_ text: String) throws -> CardDate {
    try #require(CardDate(iso: text), "\(text) should be a real date")
}

private func pinB(_ birth: String, _ expiry: Int = 2035, _ code: String = "4821", form: CardFacePINB.YearForm = .japaneseEra) throws -> CardFacePINB {
    try CardFacePINB(birthDate: date(birth), expiryYear: expiry, securityCode: pin(code), yearForm: form, now: today)
}

private func digits(_ code: PINCode) -> String {
    code.withBytes { String(decoding: $0, as: UTF8.self) }
}

@Suite("Japanese eras (元号)")
struct JapaneseEraTests {
    @Test("each era begins on its first day, as year 1, and the day before is the last day of the era before", arguments: [
        ("1873-01-01", JapaneseEra.meiji, 6),
        ("1912-07-29", .meiji, 45), ("1912-07-30", .taisho, 1),
        ("1926-12-24", .taisho, 15), ("1926-12-25", .showa, 1),
        ("1989-01-07", .showa, 64), ("1989-01-08", .heisei, 1),
        ("2019-04-30", .heisei, 31), ("2019-05-01", .reiwa, 1),
        ("1990-01-01", .heisei, 2), ("2026-06-15", .reiwa, 8),
    ])
    func boundaries(text: String, era: JapaneseEra, year: Int) throws {
        let found = try #require(JapaneseEra.of(try date(text)))
        #expect(found.era == era)
        #expect(found.year == year)
    }

    @Test("no era before 明治")
    func beforeMeiji() {
        #expect(JapaneseEra.of(CardDate(year: 1868, month: 1, day: 24)!) == nil)
    }

    @Test("dates that do not exist are refused, leap years included", arguments: ["1990-02-30", "2023-02-29", "1900-02-29", "1990-13-01", "1990-04-31", "1990-1-1", "19900101x", ""])
    func impossibleDates(text: String) {
        #expect(CardDate(iso: text) == nil)
    }

    @Test("leap days that exist are accepted, in both spellings", arguments: ["2024-02-29", "2000-02-29", "20000229"])
    func leapDays(text: String) {
        #expect(CardDate(iso: text) != nil)
    }
}

@Suite("PIN-B from what the card face prints")
struct CardFacePINBTests {
    @Test("the fixture's holder: 1990-01-01 → 平成2 → 02010120354821")
    func fixtureHolder() throws {
        #expect(digits(try pinB("1990-01-01").pin()) == "02010120354821")
    }

    @Test("a foreign resident's card takes the Western year: 1990-01-01 → 90010120354821")
    func foreignResident() throws {
        #expect(digits(try pinB("1990-01-01", form: .gregorian).pin()) == "90010120354821")
    }

    @Test("the first year of an era is 01", arguments: [("1989-01-08", "010108"), ("2019-05-01", "010501"), ("1926-12-25", "011225"), ("1912-07-30", "010730")])
    func firstYear(birth: String, yymmdd: String) throws {
        #expect(digits(try pinB(birth).pin()) == yymmdd + "20354821")
    }

    @Test("the last days of an era keep its year", arguments: [("1989-01-07", "640107"), ("2019-04-30", "310430"), ("1912-07-29", "450729")])
    func lastDays(birth: String, yymmdd: String) throws {
        #expect(digits(try pinB(birth).pin()) == yymmdd + "20354821")
    }

    @Test("what cannot be on a card is refused", arguments: [
        ("1872-12-31", 2035, "4821", CardFacePINBError.bornBeforeGregorianCalendar),
        ("2026-06-16", 2035, "4821", .bornInTheFuture),
        ("1990-01-01", 2015, "4821", .expiryYearImpossible(2016...2037)),
        ("1990-01-01", 2038, "4821", .expiryYearImpossible(2016...2037)),
        ("2020-01-01", 2019, "4821", .expiryBeforeBirth),
        ("1990-01-01", 2035, "482", .securityCodeNotFourDigits),
        ("1990-01-01", 2035, "48a1", .securityCodeNotFourDigits),
    ])
    func refused(birth: String, expiry: Int, code: String, error: CardFacePINBError) throws {
        #expect(throws: error) { try pinB(birth, expiry, code) }
    }

    @Test("the messages never repeat what was typed")
    func messagesKeepValuesOut() {
        for error in [CardFacePINBError.birthDateNotADate, .bornInTheFuture, .expiryBeforeBirth, .securityCodeNotFourDigits] {
            #expect(!error.description.contains("1990") && !error.description.contains("4821"))
        }
    }

    @Test("the built PIN-B opens the healthy card's face, and the Western form the foreign resident's")
    func opensTheCards() throws {
        let healthy = try FaceAPSession(transport: emulatedCard())
        try healthy.verify(.faceBirthExpiryCode, pin: try pinB("1990-01-01").pin())
        #expect(try healthy.cardFace().birthDate.description == "1990-01-01")
        let foreign = try FaceAPSession(transport: emulatedCard("foreign-resident"))
        try foreign.verify(.faceBirthExpiryCode, pin: try pinB("1990-01-01", form: .gregorian).pin())
        #expect(try foreign.cardFace().expiryDate.description == "2035-01-01")
    }
}

@Suite("Card-face PINs that cannot be right never reach the card")
struct FacePINRulesTests {
    @Test("a My Number with a wrong check digit is refused as PIN-A, with no try spent", arguments: ["123456789011", "123456789019", "223456789018"])
    func pinACheckDigit(text: String) throws {
        let transport = try emulatedCard()
        let face = try FaceAPSession(transport: transport)
        #expect {
            try face.verify(.faceMyNumber, pin: pin(text))
        } throws: { error in
            guard case CardSessionError.invalidPINFormat(.faceMyNumber, let reason) = error else { return false }
            return reason.contains("check digit") && !reason.contains(text)
        }
        #expect(!transport.sentCommands.contains { $0.count > 5 && $0[1] == 0x20 })
        #expect(try face.pinStatus(.faceMyNumber) == .remaining(10))
    }

    @Test("a PIN-B whose date or expiry year cannot exist is refused, with no try spent", arguments: [
        "02130120354821", "02000120354821", "02023020354821", "02013220354821", "02010120154821", "02010129994821",
    ])
    func pinBImpossible(text: String) throws {
        let transport = try emulatedCard()
        let face = try FaceAPSession(transport: transport)
        #expect(throws: CardSessionError.self) { try face.verify(.faceBirthExpiryCode, pin: pin(text)) }
        #expect(!transport.sentCommands.contains { $0.count > 5 && $0[1] == 0x20 })
        #expect(try face.pinStatus(.faceBirthExpiryCode) == .remaining(10))
    }

    @Test("PIN-B rules do not know the era, so a Western-year PIN-B (a foreign resident's) is sent")
    func westernYearIsAllowed() throws {
        let face = try FaceAPSession(transport: emulatedCard("foreign-resident"))
        try face.verify(.faceBirthExpiryCode, pin: pin("90010120354821"))
        #expect(try face.cardFace().photo.count > 0)  // the card released what PIN-B guards
    }
}
