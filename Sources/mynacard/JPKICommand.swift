import ArgumentParser

/// `mynacard jpki …`: the 公的個人認証 (JPKI) applet.
struct JPKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jpki",
        abstract: "Certificates, signatures and login with the JPKI (公的個人認証) applet.",
        subcommands: [
            JPKICertCommand.self, JPKISerialCommand.self, JPKIMyKeyIDCommand.self, JPKISignCommand.self, JPKIVerifyCommand.self,
            JPKILoginCommand.self, JPKILoginVerifyCommand.self,
        ]
    )
}
