import ArgumentParser
import CardImages
import CardSession
import Foundation
import KenmenAP

/// `mynacard face`: the card face — photo, printed images and dates — written to a folder.
struct FaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "face",
        abstract: "Export the card face: photo (JPEG 2000 and PNG), name, address and security-code images, dates.",
        discussion: """
            Needs one of the card-face PINs, read like any PIN (prompt, --pin-stdin, --pin-fd, --pin-env): \
            --pin-a: the 12-digit My Number; --pin-b: birth date as Japanese-era YYMMDD (e.g. 平成2年1月1日 → 020101), \
            the expiry year (YYYY) and the 4-digit security code, 14 digits. \
            Birth date and sex are masked unless --reveal is given; the My Number image is written only with \
            --reveal, and only PIN-A opens it. The images go to files in a folder only you can read. \
            The photo, images, birth date and sex are checked against the card face's signature (DF28); give \
            --root to check that signature's key too. Exit 1 when the card face is not genuine.
            """
    )

    @Flag(name: .long, help: "Unlock with PIN-A: the 12-digit My Number.")
    var pinA = false

    @Flag(name: .long, help: "Unlock with PIN-B: era birth date YYMMDD + expiry year YYYY + security code (14 digits).")
    var pinB = false

    @Flag(name: .long, help: "Show birth date and sex, and write the My Number image (that needs --pin-a).")
    var reveal = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Folder to write the files to (created if missing). Default: a new temporary folder.", valueName: "dir"))
    var output: String?

    @OptionGroup var rootKey: RootKeyOptions
    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var format: OutputOptions

    func validate() throws {
        guard pinA != pinB else { throw ValidationError("choose one of --pin-a (My Number) and --pin-b (birth date, expiry year, security code)") }
    }

    struct Report: Encodable {
        var directory: String
        var birthDate: String
        var sex: String
        var sexCode: String
        var expiryDate: String
        var files: [String: String]
        var authenticity: Authenticity

        struct Authenticity: Encodable {
            var result: String
            var reason: String?
            var signatureMatchesCardKey: Bool
            var certificateSignedByRoot: Bool?
            var rootKeyID: String
            var rootSource: String
        }
    }

    func run() throws {
        try Failure.report(json: format.json) {
            let kind: PINKind = pinA ? .faceMyNumber : .faceBirthExpiryCode
            let root = try rootKey.load()
            let pinReader = pinInput.makeReader()
            let (face, myNumberImage, authenticity) = try withCard(card) { transport in
                let session = try FaceAPSession(transport: transport)
                try session.verify(kind, force: pinInput.force) { try pinReader.read(prompt: "\(kind.displayName): ") }
                let face = try session.cardFace()
                return (face, reveal && pinA ? try session.myNumberImage() : nil, try session.authenticity(of: face, root: root))
            }
            let directory = try makeDirectory()
            var files: [String: String] = [:]
            func save(_ key: String, _ name: String, _ bytes: [UInt8]) throws {
                let path = (directory as NSString).appendingPathComponent(name)
                try Output.write(bytes, to: path)
                files[key] = path
            }
            try save("photoJP2", "photo.jp2", face.photo)
            try save("photoPNG", "photo.png", try PNGEncoder.encode(try JPEG2000Decoder.decode(face.photo)))
            try save("name", "name.png", face.nameImage)
            try save("address", "address.png", face.addressImage)
            try save("securityCode", "security-code.png", face.securityCodeImage)
            if let myNumberImage { try save("myNumber", "my-number.png", myNumberImage) }
            let report = Report(directory: directory,
                                birthDate: reveal ? face.birthDate.description : BasicInfo.maskedBirthDate,
                                sex: reveal ? face.sex.displayName : BasicInfo.maskedSex,
                                sexCode: reveal ? face.sex.rawValue : BasicInfo.maskedSex,
                                expiryDate: face.expiryDate.description, files: files,
                                authenticity: .init(result: authenticity.result.code, reason: authenticity.result.reason,
                                                    signatureMatchesCardKey: authenticity.signatureMatchesCardKey,
                                                    certificateSignedByRoot: authenticity.certificateSignedByRoot,
                                                    rootKeyID: authenticity.issuerKeyID, rootSource: authenticity.rootSource.code))
            if reveal && !pinA { Output.message("note: the My Number image was not written: the card opens it only with PIN-A (--pin-a)") }
            if format.json {
                try Output.json(report)
            } else {
                Output.line("birth date:    \(report.birthDate)")
                Output.line("sex:           \(report.sex)")
                Output.line("expiry date:   \(report.expiryDate)")
                for (key, label) in [("photoJP2", "photo (JP2)"), ("photoPNG", "photo (PNG)"), ("name", "name"), ("address", "address"),
                                     ("securityCode", "security code"), ("myNumber", "My Number")] {
                    if let path = files[key] { Output.line("\((label + ":").padding(toLength: 15, withPad: " ", startingAt: 0))\(path)") }
                }
                Output.line("authenticity:  \(authenticity.result)")
            }
            if case .notGenuine(let reason) = authenticity.result {
                Output.message("mynacard: the card face is not genuine: \(reason)")
                throw NegativeResult(description: "the card face is not genuine: \(reason)")
            }
        }
    }

    /// The output folder: `-o DIR` (created if needed) or a fresh private temporary folder.
    private func makeDirectory() throws -> String {
        let path = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("mynacard-face-\(UUID().uuidString.prefix(8))").path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw InputError.cannotWrite(path: path, reason: error.localizedDescription)
        }
        return path
    }
}
