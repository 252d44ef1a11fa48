import ArgumentParser
import CardSession
import Foundation
import JPKIApplet

/// `mynacard jpki login --challenge …`: answer a login challenge with the authentication key.
struct JPKILoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign a login challenge with the authentication key and print a JSON login bundle.",
        discussion: """
            The challenge is hex or base64 on the command line, or raw bytes from standard input with \
            `--challenge -`. The bundle holds the authentication certificate (with its serial number, a \
            linkable identifier), the signature, and the challenge; check it with `mynacard jpki login-verify`.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The challenge: hex, base64, or - for raw bytes on standard input.", valueName: "challenge"))
    var challenge: String

    @Option(name: .shortAndLong, help: "Write the bundle to this file instead of standard output.")
    var output: String?

    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions

    @Flag(name: .long, help: "Accepted for symmetry with the other commands: the bundle and any error are always JSON.")
    var json = false

    func validate() throws {
        if challenge == "-" && pinInput.pinStdin { throw ValidationError("standard input cannot carry both the challenge and the PIN") }
    }

    func run() throws {
        try Failure.report(json: true) {
            let destination = try OutputFile.prepare(output, privacy: .personal)
            let bytes: [UInt8]
            if challenge == "-" {
                bytes = try InputFiles.bytes("-", what: "a challenge")
            } else {
                guard let decoded = decodeHexOrBase64(challenge) else { throw InputError.invalid("the challenge must be non-empty hex or base64") }
                bytes = decoded
            }
            guard !bytes.isEmpty else { throw InputError.invalid("the challenge is empty") }
            let pinReader = pinInput.makeReader()
            let bundle = try withCard(card) { session in
                // The signer checks the card's signature against the certificate before it is used.
                let signer = try JPKISigner(session: session, key: .authentication, force: pinInput.force,
                                            entry: pinReader.entry(force: pinInput.force))
                defer { signer.finish() }
                return try signer.login(challenge: bytes)
            }
            try destination.write(try Output.jsonBytes(bundle))
        }
    }
}
