import ArgumentParser

/// `mynacard pdf …`: signed PDFs for the 法務局 (電子署名付きPDFファイル).
struct PDFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdf",
        abstract: "Sign PDFs as the 法務局 accepts them (電子署名付きPDFファイル), and check signed PDFs.",
        subcommands: [PDFSignCommand.self, PDFCheckCommand.self]
    )
}
