import APDU
import Foundation
import _CryptoExtras

/// A J-LIS root key that certifies an applet's data-signing key (the key in EF 0004's CV certificate).
/// J-LIS does not put it on the card; a CV certificate names it by a 16-byte key ID.
public struct CVRootKey: Sendable {
    /// The 16-byte key ID, e.g. `"5000033" 08 05 "001" 00 00 00 00`.
    public let keyID: [UInt8]
    /// The RSA public key (e = 65537).
    public let publicKey: _RSA.Signing.PublicKey

    /// The key ID's printable part, e.g. `5000033`.
    public var name: String { CVCertificate.keyIDText(keyID) }

    /// The production root keys built into mynacard: `5000033` (text applet) and `5000023` (card face).
    ///
    /// Shipped because two independent public sources agree on them byte for byte: soltia48/myna-card
    /// `src/ca.rs` (modulus as bytes, MIT) and hebingchang/pymyna `myna/utils/constants.py` (SubjectPublicKeyInfo
    /// in base64); the tests hold the second copy and compare. The test hierarchy's roots (`6000033`,
    /// `6000023`) are deliberately not built in: a test card is not genuine.
    public static let jlis: [CVRootKey] = BuiltInRoot.all.compactMap(\.key)

    /// The built-in root whose whole 16-byte key ID is `issuerKeyID`, if any.
    public static func builtIn(for issuerKeyID: [UInt8]) -> CVRootKey? {
        jlis.first { $0.keyID == issuerKeyID }
    }
}

/// Which root key an authenticity check used.
public enum RootKeySource: Equatable, Sendable {
    /// The key given by the caller (`--root`), whatever root the card names.
    case given
    /// The built-in J-LIS root the card's CV certificate names.
    case builtIn(String)
    /// None: no key was given and the card names a root that is not built in.
    case none

    /// `given`, `built-in` or `none`, for scripts.
    public var code: String {
        switch self {
        case .given: "given"
        case .builtIn: "built-in"
        case .none: "none"
        }
    }

    /// What a report says when the CV certificate is not signed by the root key used.
    func notSignedProblem(issuerKeyID: String) -> String {
        switch self {
        case .builtIn(let name): "the card's key certificate (EF 0004) is not signed by the J-LIS root key \(name) it names"
        case .given, .none: "the card's key certificate (EF 0004) is not signed by the given root key (the card names root \(issuerKeyID))"
        }
    }

    /// Why there was no root key to check with.
    static func missingRootReason(issuerKeyID: String) -> String {
        let known = CVRootKey.jlis.map(\.name).joined(separator: ", ")
        return "no root key for the root the card names (\(issuerKeyID)): it is not a built-in J-LIS root (\(known)), and none was given"
    }

    /// The key to check with, and where it came from: `given` when there is one, else the built-in root that
    /// `certificate` names.
    static func resolve(given: _RSA.Signing.PublicKey?, for certificate: CVCertificate) -> (_RSA.Signing.PublicKey?, RootKeySource) {
        if let given { return (given, .given) }
        if let root = CVRootKey.builtIn(for: certificate.issuerKeyID) { return (root.publicKey, .builtIn(root.name)) }
        return (nil, .none)
    }
}

/// A root key as written in the source: the key ID's digits (the rest of the 16 bytes is `08 05 "001" 00 00 00 00`
/// for both production keys) and the modulus in hex.
private struct BuiltInRoot {
    let keyIDDigits: String
    let modulusHex: String

    var key: CVRootKey? {
        guard let modulus = [UInt8](hex: modulusHex.filter { !$0.isWhitespace }),
              let publicKey = try? _RSA.Signing.PublicKey(n: modulus, e: [0x01, 0x00, 0x01]) else { return nil }
        let keyID = Array(keyIDDigits.utf8) + [0x08, 0x05] + Array("001".utf8) + [0x00, 0x00, 0x00, 0x00]
        return CVRootKey(keyID: keyID, publicKey: publicKey)
    }

    static let all: [BuiltInRoot] = [
        // 5000033: certifies the text (券面事項入力補助AP) data-signing key.
        BuiltInRoot(keyIDDigits: "5000033", modulusHex: """
                D24615F63525E740C87E83ED64787E76D10A1F8652EBE1EA28934D35CE3BF07716F5B79E2BCB2AE2B91B4F4C9FFB6024
                97F596D659AF9D0A14B45CDD738EF56249349B8CC7DB32F2D433BD39BCC44F503E881D56C149ECD5155C1CE7461FC3AC
                4F55D0A39CCAAADFAE5B8AFA11CCF91BEDC774023D11CA6EBA99004F81C541A7D67DDED8C724D6E20B10A3DEAAE8C43C
                137CCD71B263740E8979752DE4D5676329CABCBD7F3A77FC48A6F8E61D399B4AC66684A9FDFC99ECEF900DD6FF7F0FDD
                39E23D163F8A468C62DBEAE00906DFAD5A89B45CA5B7353DC998A80D3803EDA794B55F99F535D1C39A243C8352AD602D
                926C389D2816C941349EE24E4F41597F
                """),
        // 5000023: certifies the card face (券面事項確認AP) data-signing key.
        BuiltInRoot(keyIDDigits: "5000023", modulusHex: """
                B2F740F0AD86D17CF3F537D23B4B3C65A3CB58474D857F55D0B9BC0411B1CB0849068DE332A50D63B3E6921C9CCBE615
                6496EFB04BE8FFCC74FDE9A228A36AD7EDCE9793204E35973DC911108365002C40169E0B60018DFB99E1E2310D9A110F
                F0FC269F1F220C63B8A1510DE5A6898220C78908FC280D8AA95D5D113B7CF00700F3FF5AD8B3D6AD2EB53C7D563498B4
                A938DEFFC9BDA32BF4146C1B07EF870D99EB35DE5D70AC18715874277A13151D217D04D42E97923923A40FBC7D06FAA8
                338CCBE876620F9B8EF4471CD4B9E29D4EA621E0FB8F1DC04B487210097DBAAF3D8E0550C76A5B97CF202FA47C7A2622
                F1C084E65C13D13B8E7AB226F5F51F87
                """),
    ]
}
