import ArgumentParser
import Foundation
import KenmenAP
import _CryptoExtras

/// The off-card root key that certifies an applet's data-signing key (J-LIS does not put it on the card).
/// Without `--root`, the built-in J-LIS root the card names is used (KenmenAP's `CVRootKey.jlis`).
struct RootKeyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "PEM file with the root public key (certificate or PUBLIC KEY) that certifies the card's data-signing key; it replaces "
            + "the built-in J-LIS roots (5000033 text, 5000023 card face). A card naming another root without --root is reported "
            + "'cannot be checked'. Test cards: fixtures/ca/text-root.pem (text), fixtures/ca/face-root.pem (card face).",
        valueName: "pem"))
    var root: String?

    /// The key, or `nil` when no `--root` was given (the built-in roots apply).
    func load() throws -> _RSA.Signing.PublicKey? {
        guard let root else { return nil }
        let text = String(decoding: try InputFiles.bytes(root, what: "a root key"), as: UTF8.self)
        do { return try rootPublicKey(pem: text) } catch {
            throw InputError.invalid("\(terminalSafe(root)): \(Failure.plainDescription(of: error))")
        }
    }
}
