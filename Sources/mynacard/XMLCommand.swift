import ArgumentParser

/// `mynacard xml …`: XML signatures as e-Gov's 電子申請 uses them.
struct XMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xml",
        abstract: "Sign an e-Gov style 構成情報 XML file (XML Signature), and check one.",
        subcommands: [XMLSignCommand.self, XMLVerifyCommand.self]
    )
}
