import APDU
import CardSession

/// The card face from the 券面AP's EF 0002: what is printed on the card, as data and images.
public struct CardFace: Sendable {
    /// 生年月日.
    public let birthDate: CardDate
    /// 性別.
    public let sex: Sex
    /// 有効期限 (the card's expiry date).
    public let expiryDate: CardDate
    /// 氏名 as printed: a PNG image.
    public let nameImage: [UInt8]
    /// 住所 as printed: a PNG image.
    public let addressImage: [UInt8]
    /// 顔写真: the photo, JPEG 2000 in a JP2 container, as stored.
    public let photo: [UInt8]
    /// セキュリティコード as printed: a PNG image.
    public let securityCodeImage: [UInt8]
    /// DF24: the card's own public key (`90` e, `91` n), the one the chip signs challenges with; DF28 covers it.
    public let cardKey: [UInt8]
    /// The three groups of objects DF28 signs, as stored: DF22‖DF23‖DF24, DF25‖DF26 and DF27
    /// (docs/card-facts.md, card-face signature; one source).
    public let signedGroups: [[UInt8]]
    /// DF28: the signature over the SHA-256 hashes of ``signedGroups``.
    public let signature: [UInt8]

    /// Parses EF 0002 (`FF20 { DF21 offsets, DF22 birth date, DF23 sex, DF24 key, DF25 name, DF26 address,
    /// DF27 photo, DF28 signature, DF29 expiry, DF2A security code }`).
    public init(file bytes: [UInt8]) throws {
        func bad(_ why: String) -> CardSessionError { .malformedData("the card-face file (EF 0002) \(why)") }
        let (outer, length): (TLV, Int)
        do { (outer, length) = try TLV.parseFirst(bytes) } catch { throw bad("is not TLV data: \(error)") }
        guard outer.tag == 0xFF20 else { throw bad("does not start with FF20") }
        let inner: [TLV]
        do { inner = try TLV.parseAll(outer.value) } catch { throw bad("has malformed contents: \(error)") }
        if let table = inner.first(tag: 0xDF21), let problem = offsetTableProblem(table, fileLength: length) { throw bad(problem) }
        func value(_ tag: UInt32, _ what: String) throws -> [UInt8] {
            guard let object = inner.first(tag: tag), !object.value.isEmpty else { throw bad("has no \(what)") }
            return object.value
        }
        func date(_ tag: UInt32, _ what: String) throws -> CardDate {
            guard let date = CardDate(String(decoding: try value(tag, what), as: UTF8.self)) else { throw bad("has a \(what) that is not YYYYMMDD") }
            return date
        }
        birthDate = try date(0xDF22, "birth date (DF22)")
        guard let sex = Sex(rawValue: String(decoding: try value(0xDF23, "sex (DF23)"), as: UTF8.self)) else { throw bad("has an unknown sex code") }
        self.sex = sex
        nameImage = try value(0xDF25, "name image (DF25)")
        addressImage = try value(0xDF26, "address image (DF26)")
        photo = try value(0xDF27, "photo (DF27)")
        expiryDate = try date(0xDF29, "expiry date (DF29)")
        securityCodeImage = try value(0xDF2A, "security code image (DF2A)")
        cardKey = try value(0xDF24, "card key (DF24)")
        signature = try value(0xDF28, "signature (DF28)")
        func encoded(_ tags: [UInt32]) throws -> [UInt8] {
            try tags.flatMap { tag in
                guard let object = inner.first(tag: tag) else { throw bad("has no object \(String(tag, radix: 16, uppercase: true))") }
                return object.encoded
            }
        }
        signedGroups = [try encoded([0xDF22, 0xDF23, 0xDF24]), try encoded([0xDF25, 0xDF26]), try encoded([0xDF27])]
    }
}
