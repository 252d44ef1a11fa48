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
            Or give what is printed on the card face and let PIN-B be built: --birth-date 1990-01-01 (Western calendar) \
            --expiry-year 2035 and the security code (the birth year becomes the Japanese-era year; a foreign resident's card, whose face \
            prints the Western date, takes the Western year: add --foreign-resident). The security code is part of PIN-B: without \
            --security-code it is read like a PIN (asked for with no echo, or --pin-stdin, --pin-fd, --pin-env), so that it does not \
            show in `ps` or the shell's history as an argument does. Only the form you choose is tried; \
            a date or year that cannot be right is refused before anything is sent. \
            Birth date and sex are masked unless --reveal is given; the My Number image is written only with \
            --reveal, and only PIN-A opens it. The images go to files only you can read (0600), in a folder made \
            for them (0700; -o DIR is made if missing). In a folder that exists already, it keeps its permissions \
            and the files are 0600 even where a file of that name was there with wider ones. \
            The photo, images, birth date and sex are checked against the card face's signature (DF28); give \
            --root to check that signature's key too. The chip is challenged to sign a random number with the card \
            key the card face names (no PIN), which a copy of the data on another chip cannot do. \
            Exit 1 when the card face or the chip is not genuine.
            """
    )

    @Flag(name: .long, help: "Unlock with PIN-A: the 12-digit My Number.")
    var pinA = false

    @Flag(name: .long, help: "Unlock with PIN-B, typed: birth date YYMMDD (Japanese-era year; a foreign resident's card: Western year) + expiry year YYYY + security code, 14 digits.")
    var pinB = false

    @Option(name: .long, help: ArgumentHelp("PIN-B from the card face: the birth date in the Western calendar (the era year is worked out).", valueName: "YYYY-MM-DD"))
    var birthDate: String?

    @Option(name: .long, help: ArgumentHelp("PIN-B from the card face: the year of the card's expiry date (有効期限).", valueName: "YYYY"))
    var expiryYear: Int?

    @Option(name: .long, help: ArgumentHelp("PIN-B from the card face: the 4-digit security code (セキュリティコード). Without it, it is read like a PIN (prompt, --pin-stdin, --pin-fd, --pin-env): an argument shows in `ps` and the shell's history.", valueName: "digits"))
    var securityCode: String?

    @Flag(name: .long, help: "A foreign resident's card: PIN-B takes the Western birth year (1990 → 90), not the Japanese-era year.")
    var foreignResident = false

    @Flag(name: .long, help: "Show birth date and sex, and write the My Number image (that needs --pin-a).")
    var reveal = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Folder to write the files to (made, 0700, if missing). Default: a new private folder in $TMPDIR or /tmp.", valueName: "dir"))
    var output: String?

    @OptionGroup var rootKey: RootKeyOptions
    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var format: OutputOptions

    /// Whether PIN-B is built from the card face's printed fields.
    private var pinBFromCardFace: Bool { birthDate != nil || expiryYear != nil || securityCode != nil }

    func validate() throws {
        if pinBFromCardFace && (birthDate == nil || expiryYear == nil) {
            throw ValidationError("--birth-date and --expiry-year go together (with the security code from --security-code, or read like a PIN), as printed on the card face")
        }
        guard pinA != (pinB || pinBFromCardFace) else {
            throw ValidationError("choose one of --pin-a (My Number) and --pin-b (birth date, expiry year, security code; typed or from --birth-date)")
        }
        if foreignResident && !pinBFromCardFace {
            throw ValidationError("--foreign-resident says how --birth-date enters PIN-B; a typed 14-digit PIN-B already carries the year as the card wants it")
        }
    }

    struct Report: Encodable {
        var directory: String
        var birthDate: String
        var sex: String
        var sexCode: String
        var expiryDate: String
        var files: [String: String]
        /// Why `photo.png` was not written (the photo was not decoded); absent when it was.
        var photoNotDecoded: String?
        var authenticity: Authenticity
        /// Whether the chip is the one the card face was issued on (internal authentication).
        var chip: ChipReport
        /// How the birth year entered a PIN-B built from --birth-date: `japanese-era` or `gregorian`.
        var pinBYearForm: String?

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
            // The folder and every file in it are checked before the card is used and any PIN asked for.
            let folder = try output.map(OutputFolder.prepare) ?? OutputFolder.prepareTemporary(prefix: "mynacard-face")
            let inputs = [rootKey.root.flatMap { FileStatus(path: $0, followingLinks: true)?.identity }].compactMap { $0 }
            var targets: [String: OutputFile] = [:]
            for name in Self.fileNames.values where name != Self.fileNames["myNumber"] || (reveal && pinA) {
                targets[name] = try OutputFile.prepare(named: name, in: folder, privacy: .alwaysPrivate, inputs: inputs)
            }
            let pinReader = pinInput.makeReader()
            let printed = try printedPINB()
            if let printed { Output.message("note: PIN-B is built with \(printed.yearForm); \(Self.otherFormAdvice(printed.yearForm))") }
            let entry = try printed.map { try $0.entry(securityCode: securityCode, reader: pinReader, force: pinInput.force) }
                ?? pinReader.entry(force: pinInput.force)
            let (face, myNumberImage, authenticity, chip) = try withCard(card) { session in
                do {
                    return try session.withPIN(kind, force: pinInput.force, entry: entry) {
                        let faceAP = try FaceAPSession(session: session, selected: true)
                        let face = try faceAP.cardFace()
                        let image = reveal && pinA ? try faceAP.myNumberImage() : nil
                        let authenticity = try faceAP.authenticity(of: face, root: root)
                        return (face, image, authenticity, try faceAP.chipAuthenticity(of: face, data: authenticity))
                    }
                } catch let error as CardSessionError {
                    if case .wrongPIN(_, let left) = error, left > 0, let printed {
                        Output.message("note: check the birth date, expiry year and security code against the card face; if they are right, "
                                       + Self.otherFormAdvice(printed.yearForm))
                    }
                    throw error
                }
            }
            // The photo is card data: a card face whose signature fails is not decoded at all, and any
            // other photo only within JPEG2000Limits.cardPhoto, before any file is written.
            let photoNotDecoded: String? = if case .notGenuine = authenticity.result { "the card face is not genuine" } else { nil }
            let photoPNG = photoNotDecoded == nil ? try PNGEncoder.encode(try JPEG2000Decoder.decode(face.photo)) : nil
            var files: [String: String] = [:]
            func save(_ key: String, _ bytes: [UInt8]) throws {
                guard let name = Self.fileNames[key], let target = targets[name] else { return }
                try target.write(bytes)
                files[key] = target.path
            }
            try save("photoJP2", face.photo)
            if let photoPNG { try save("photoPNG", photoPNG) }
            try save("name", face.nameImage)
            try save("address", face.addressImage)
            try save("securityCode", face.securityCodeImage)
            if let myNumberImage { try save("myNumber", myNumberImage) }
            let report = Report(directory: folder.path,
                                birthDate: reveal ? face.birthDate.description : BasicInfo.maskedBirthDate,
                                sex: reveal ? face.sex.displayName : BasicInfo.maskedSex,
                                sexCode: reveal ? face.sex.rawValue : BasicInfo.maskedSex,
                                expiryDate: face.expiryDate.description, files: files, photoNotDecoded: photoNotDecoded,
                                authenticity: .init(result: authenticity.result.code, reason: authenticity.result.reason,
                                                    signatureMatchesCardKey: authenticity.signatureMatchesCardKey,
                                                    certificateSignedByRoot: authenticity.certificateSignedByRoot,
                                                    rootKeyID: authenticity.issuerKeyID, rootSource: authenticity.rootSource.code),
                                chip: ChipReport(chip), pinBYearForm: printed?.yearForm.rawValue)
            if reveal && !pinA { Output.message("note: the My Number image was not written: the card opens it only with PIN-A (--pin-a)") }
            if format.json {
                try Output.json(report)
            } else {
                Output.line("birth date:    \(terminalSafe(report.birthDate))")
                Output.line("sex:           \(terminalSafe(report.sex))")
                Output.line("expiry date:   \(terminalSafe(report.expiryDate))")
                for (key, label) in [("photoJP2", "photo (JP2)"), ("photoPNG", "photo (PNG)"), ("name", "name"), ("address", "address"),
                                     ("securityCode", "security code"), ("myNumber", "My Number")] {
                    if let path = files[key] { Output.line("\((label + ":").padding(toLength: 15, withPad: " ", startingAt: 0))\(terminalSafe(path))") }
                    if key == "photoPNG", let photoNotDecoded { Output.line("photo (PNG):   not decoded: \(photoNotDecoded)") }
                }
                Output.line("data:          \(terminalSafe("\(authenticity.result)"))")
                Output.line("chip:          \(terminalSafe(chip.result.chipWording))")
            }
            var problems: [String] = []
            if case .notGenuine(let reason) = authenticity.result { problems.append("the card face is not genuine: \(reason)") }
            if case .notGenuine(let reason) = chip.result { problems.append("the chip is not genuine: \(reason)") }
            if !problems.isEmpty {
                Output.message("mynacard: " + terminalSafe(problems.joined(separator: "; ")))
                throw NegativeResult(description: problems.joined(separator: "; "))
            }
        }
    }

    /// The files written, by their key in the report.
    private static let fileNames = [
        "photoJP2": "photo.jp2", "photoPNG": "photo.png", "name": "name.png", "address": "address.png",
        "securityCode": "security-code.png", "myNumber": "my-number.png",
    ]

    /// What --birth-date and --expiry-year say, checked before any card is touched (with --security-code, that too).
    private func printedPINB() throws -> PrintedPINB? {
        guard let birthDate, let expiryYear else { return nil }
        guard let date = CardDate(iso: birthDate) else { throw InputError.invalid(CardFacePINBError.birthDateNotADate.description) }
        let printed = PrintedPINB(birthDate: date, expiryYear: expiryYear, yearForm: foreignResident ? .gregorian : .japaneseEra)
        do {
            try CardFacePINB.check(birthDate: date, expiryYear: expiryYear)
            if let securityCode { _ = try printed.pinB(securityCode: securityCode) }
        } catch {
            throw InputError.invalid(error.description)
        }
        return printed
    }

    /// What to do when the card may want the other year form: it is offered, never tried unasked.
    private static func otherFormAdvice(_ form: CardFacePINB.YearForm) -> String {
        form == .japaneseEra
            ? "a foreign resident's card, whose face prints the Western birth date, needs --foreign-resident"
            : "a Japanese national's card, whose face prints the Japanese-era birth date, needs PIN-B without --foreign-resident"
    }
}

/// PIN-B as the card face prints it: the birth date and expiry year from the command line, and the security code
/// from --security-code or, better, read like a PIN.
private struct PrintedPINB {
    var birthDate: CardDate
    var expiryYear: Int
    var yearForm: CardFacePINB.YearForm

    func pinB(securityCode: String) throws(CardFacePINBError) -> CardFacePINB {
        var code = Array(securityCode.utf8)
        return try pinB(securityCode: PINCode(consuming: &code))
    }

    func pinB(securityCode: PINCode) throws(CardFacePINBError) -> CardFacePINB {
        try CardFacePINB(birthDate: birthDate, expiryYear: expiryYear, securityCode: securityCode, yearForm: yearForm)
    }

    /// PIN-B's entry: in hand with `securityCode` (checked before the card was touched); otherwise the security code
    /// is read like a PIN, once the retry counter allows a try — one that is not 4 digits is refused unsent.
    func entry(securityCode: String?, reader: PINReader, force: Bool) throws -> PINEntry {
        if let securityCode { return .inHand(try pinB(securityCode: securityCode).pin()) }
        return PINEntry(mayWait: reader.mayWait) { kind, status in
            let code = try reader.read(prompt: "security code (セキュリティコード, the 4 digits printed on the card face): ",
                                       warning: reader.lastTryWarning(kind, status: status, force: force))
            do {
                return try pinB(securityCode: code).pin()
            } catch let error as CardFacePINBError {
                throw CardSessionError.invalidPINFormat(kind, reason: error.description)
            }
        }
    }
}
