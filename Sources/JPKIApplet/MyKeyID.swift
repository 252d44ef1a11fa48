import Foundation
import SwiftASN1
import X509

/// The マイキーID carried by the authentication certificate: its subject common name, 23 characters made of
/// a 14-character random string and the 9-character 受付端末識別記号 (the code of the terminal that issued
/// the certificate). Like the serial number it identifies the holder for the certificate's whole life.
///
/// The rule is the Ministry's My Key material (docs/card-facts.md, "マイキーID"); only the shape is checked:
/// 14 + 9 characters of `0-9` and `A-Z`. A common name of any other shape is not guessed at.
public struct MyKeyID: Equatable, Sendable, Codable, CustomStringConvertible {
    /// The whole common name, e.g. `IOH43BBTHJHUL813999001A`.
    public let commonName: String
    /// The first 14 characters: the random string.
    public let randomString: String
    /// The last 9 characters: the 受付端末識別記号.
    public let terminalCode: String

    /// Length of the random string.
    public static let randomLength = 14
    /// Length of the 受付端末識別記号.
    public static let terminalCodeLength = 9

    /// Splits `commonName`, or throws when it does not have the expected shape.
    public init(commonName: String) throws {
        let characters = Array(commonName)
        guard characters.count == Self.randomLength + Self.terminalCodeLength else {
            throw MyKeyIDError.unexpectedShape(commonName: commonName,
                                               why: "it has \(characters.count) characters, not \(Self.randomLength) + \(Self.terminalCodeLength)")
        }
        guard characters.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }) else {
            throw MyKeyIDError.unexpectedShape(commonName: commonName, why: "it has characters other than 0-9 and A-Z")
        }
        self.commonName = commonName
        randomString = String(characters.prefix(Self.randomLength))
        terminalCode = String(characters.suffix(Self.terminalCodeLength))
    }

    /// Reads it from the subject of an authentication certificate.
    public init(certificate: Certificate) throws {
        let names = certificate.subject.commonNames
        guard names.count == 1, let name = names.first else {
            throw MyKeyIDError.unexpectedShape(commonName: nil, why: "the subject has \(names.count) common names, not one")
        }
        try self.init(commonName: name)
    }

    /// The common name with the random string masked, e.g. `**************13999001A`: what output shows
    /// unless asked to reveal it.
    public var masked: String { String(repeating: "*", count: Self.randomLength) + terminalCode }

    /// How output shows an authentication certificate's common name unless asked to reveal it: the random
    /// string masked when it is a マイキーID, every character masked when it is not.
    public static func mask(commonName: String) -> String {
        (try? MyKeyID(commonName: commonName))?.masked ?? String(repeating: "*", count: commonName.count)
    }

    public var description: String { commonName }
}

/// Why no マイキーID could be read.
public enum MyKeyIDError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The certificate's common name is not 14 + 9 characters of 0-9/A-Z.
    case unexpectedShape(commonName: String?, why: String)

    public var description: String {
        switch self {
        case .unexpectedShape(let name, let why):
            "the authentication certificate's common name\(name.map { " (\($0))" } ?? "") is not a マイキーID of the expected shape "
                + "(14 random characters and a 9-character 受付端末識別記号, 0-9 and A-Z): \(why)"
        }
    }
}

extension DistinguishedName {
    /// The values of every common name (CN) attribute, in order; values that are not strings are left out.
    public var commonNames: [String] {
        flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.compactMap { String($0.value) }
    }

    /// This name as text with every common name replaced by `mask(value)`.
    public func description(maskingCommonNames mask: (String) -> String) -> String {
        var masked: [RelativeDistinguishedName] = []
        for rdn in self {
            var attributes: [RelativeDistinguishedName.Attribute] = []
            for attribute in rdn {
                if attribute.type == .RDNAttributeType.commonName, let value = String(attribute.value) {
                    attributes.append(.init(type: attribute.type, value: .init(utf8String: mask(value))))
                } else {
                    attributes.append(attribute)
                }
            }
            masked.append(RelativeDistinguishedName(attributes))
        }
        return DistinguishedName(masked).description
    }
}
