import Foundation

/// The rules a PIN must meet before it may cost a try: what is fixed before the format check (a signing
/// password typed in lower case), and what only a new PIN must meet (the signing password's mix of
/// letters and digits). Sources: docs/card-facts.md, "PIN rules".
extension PINKind {
    /// The PIN as the card wants it, or an ``CardSessionError/invalidPINFormat(_:reason:)`` error when it
    /// cannot be right. A signing password typed in lower case is upper-cased (the card knows only A–Z).
    public func prepared(_ pin: PINCode) throws -> PINCode {
        let ready = self == .jpkiSigning ? Self.upperCased(pin) : pin
        if let problem = format.problem(with: ready) { throw CardSessionError.invalidPINFormat(self, reason: problem) }
        return ready
    }

    /// A new PIN as the card wants it: ``prepared(_:)``, and a new signing password must mix letters and
    /// digits (at least one of each), as J-LIS asks when it is set.
    public func preparedNew(_ pin: PINCode) throws -> PINCode {
        let ready: PINCode
        do { ready = try prepared(pin) } catch CardSessionError.invalidPINFormat(let kind, let reason) {
            throw CardSessionError.invalidPINFormat(kind, reason: "the new PIN: " + reason)
        }
        if self == .jpkiSigning {
            let mixed = ready.withBytes { bytes in
                bytes.contains(where: PINFormat.isUpperLetter) && bytes.contains(where: PINFormat.isDigit)
            }
            if !mixed {
                throw CardSessionError.invalidPINFormat(self, reason: "the new PIN: a signing password must contain at least one letter and one digit")
            }
        }
        return ready
    }

    /// `pin` with a–z turned into A–Z; every copy made on the way is wiped.
    private static func upperCased(_ pin: PINCode) -> PINCode {
        pin.withBytes { bytes in
            var upper = bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
            return PINCode(consuming: &upper)
        }
    }
}

/// The check digit of a 12-digit 個人番号 (施行令 第八条; docs/card-facts.md).
public enum MyNumberCheckDigit {
    /// The check digit, as an ASCII digit, that the first 11 ASCII digits call for; `nil` when `digits`
    /// are not 11 ASCII digits.
    public static func expected(forFirst11 digits: some Collection<UInt8>) -> UInt8? {
        guard digits.count == 11 else { return nil }
        var sum = 0
        for (index, byte) in digits.enumerated() {
            guard (0x30...0x39).contains(byte) else { return nil }
            let n = 11 - index  // P_n counts from the right; Q_n = n + 1 up to 6, then n - 5
            sum += Int(byte - 0x30) * (n <= 6 ? n + 1 : n - 5)
        }
        let remainder = sum % 11
        return UInt8(remainder <= 1 ? 0 : 11 - remainder) + 0x30
    }
}

/// What the parts of a PIN-B (照合番号B) can be, whatever the era of its birth year: a month, a day that
/// exists in some year, and an expiry year a My Number card can have.
public enum PINBRules {
    /// No My Number card expires before 2016: the first were issued in January 2016.
    public static let earliestExpiryYear = 2016

    /// The last expiry year a card issued by `now` can have: ten years after issue at most (the tenth
    /// birthday after issue), with a year to spare for clocks and time zones.
    public static func latestExpiryYear(now: Date = Date()) -> Int {
        Calendar(identifier: .gregorian).component(.year, from: now) + 11
    }

    /// Why a birth month and day and an expiry year cannot be a PIN-B's, or `nil` when they can.
    /// The messages never repeat the values (they are part of a PIN).
    public static func problem(month: Int, day: Int, expiryYear: Int, now: Date = Date()) -> String? {
        guard (1...12).contains(month) else { return "the birth date's month (digits 3-4) is not 01 to 12" }
        let longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...longest).contains(day) else { return "the birth date's day (digits 5-6) does not exist in that month" }
        let latest = latestExpiryYear(now: now)
        guard (earliestExpiryYear...latest).contains(expiryYear) else {
            return "the expiry year (digits 7-10) is not between \(earliestExpiryYear) and \(latest), so no card has it"
        }
        return nil
    }
}
