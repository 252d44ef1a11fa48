import APDU
import CardSession
import KenmenAP

/// The page's unlock request, `application/x-www-form-urlencoded`: `method=pin-b&birthDate=1990-01-01&expiryYear=2035&
/// securityCode=4821&foreignResident=1`, or `method=pin-a&myNumber=123456789018`.
///
/// Parsed straight from the request's bytes: the secret values (the security code, the My Number) go into a
/// ``PINCode`` and are never made into strings, and the caller wipes the request body after parsing.
struct UnlockForm {
    /// Which card-face PIN.
    let kind: PINKind
    /// The PIN, checked against the card's rules before anything is sent.
    let pin: PINCode

    /// Why a form cannot make a PIN (the message never repeats a value).
    struct Invalid: Error {
        let reason: String
    }

    /// Parses `body`. Only the characters a form of these fields can hold are accepted (`0-9`, `a-z`, `A-Z`, `-`):
    /// anything else is refused, so no percent-decoding is needed.
    init(body: [UInt8]) throws(Invalid) {
        var fields: [String: [UInt8]] = [:]
        defer { for key in Array(fields.keys) { wipe(&fields[key, default: []]) } }
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { throw Invalid(reason: "the form is malformed") }
            let name = String(decoding: pair[pair.startIndex..<equals], as: UTF8.self)
            let value = Array(pair[(equals + 1)...])
            guard value.allSatisfy({ Self.allowed($0) }), fields[name] == nil else { throw Invalid(reason: "the form is malformed") }
            fields[name] = value
        }
        switch fields["method"].map({ String(decoding: $0, as: UTF8.self) }) {
        case "pin-a":
            guard var number = fields.removeValue(forKey: "myNumber") else { throw Invalid(reason: "the My Number is missing") }
            pin = PINCode(consuming: &number)  // its check digit is checked before it is sent
            kind = .faceMyNumber
        case "pin-b":
            guard let birth = fields["birthDate"], let year = fields["expiryYear"], var code = fields.removeValue(forKey: "securityCode") else {
                throw Invalid(reason: "the birth date, the expiry year and the security code are all needed")
            }
            let securityCode = PINCode(consuming: &code)
            guard let birthDate = CardDate(iso: String(decoding: birth, as: UTF8.self)) else {
                throw Invalid(reason: CardFacePINBError.birthDateNotADate.description)
            }
            guard year.count == 4, let expiryYear = Int(String(decoding: year, as: UTF8.self)) else {
                throw Invalid(reason: "the expiry year must be 4 digits")
            }
            let form: CardFacePINB.YearForm = fields["foreignResident"] == Array("1".utf8) ? .gregorian : .japaneseEra
            do {
                pin = try CardFacePINB(birthDate: birthDate, expiryYear: expiryYear, securityCode: securityCode, yearForm: form).pin()
            } catch {
                throw Invalid(reason: error.description)
            }
            kind = .faceBirthExpiryCode
        default:
            throw Invalid(reason: "the form names no method (pin-a or pin-b)")
        }
    }

    private static func allowed(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D
    }
}
