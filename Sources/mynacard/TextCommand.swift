import ArgumentParser
import CardSession
import KenmenAP

/// `mynacard text`: My Number and the 4 basic info from the text applet, with their authenticity.
struct TextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Show the My Number and name, address, birth date and sex from the text applet (masked unless --reveal).",
        discussion: """
            Needs the text applet PIN (4 digits, usually the same as the authentication PIN; 3 tries). \
            Unless --reveal is given, the My Number shows as **** **** 1234 and the name, address, birth date \
            and sex are masked (番＊＊, 東京都＊＊＊, ****-**-**, *); the check digit is always verified. \
            The data is checked against the card's signature; give --root to check that signature's key too. \
            The chip is challenged to sign a random number with the card key the data names (no PIN), which a copy \
            of the data on another chip cannot do. Exit 1 when the data or the chip is not genuine or the check digit is wrong.
            """
    )

    @Flag(name: .long, help: "Show the whole My Number and the 4 basic info instead of masking them.")
    var reveal = false

    @OptionGroup var rootKey: RootKeyOptions
    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        struct Authenticity: Encodable {
            var result: String
            var reason: String?
            var myNumberHashMatches: Bool
            var basicInfoHashMatches: Bool
            var signatureMatchesCardKey: Bool
            var certificateSignedByRoot: Bool?
            var rootKeyID: String
            var rootSource: String
        }
        var myNumber: String
        var revealed: Bool
        var checkDigitValid: Bool
        var name: String
        var address: String
        var birthDate: String
        var sex: String
        var sexCode: String
        var authenticity: Authenticity
        /// Whether the chip is the one the data was issued on (internal authentication).
        var chip: ChipReport
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let root = try rootKey.load()
            let pinReader = pinInput.makeReader()
            let (data, chip) = try withCard(card) { session in
                try session.withPIN(.textInputAssist, force: pinInput.force, entry: pinReader.entry(force: pinInput.force)) {
                    let text = try TextAPSession(session: session, selected: true)
                    let data = try text.readAll(root: root)
                    return (data, try text.chipAuthenticity(certificate: try text.certificate()))
                }
            }
            let auth = data.authenticity
            let info = data.basicInfo
            let report = Report(
                myNumber: reveal ? data.myNumber.digits : data.myNumber.masked, revealed: reveal,
                checkDigitValid: data.myNumber.hasValidCheckDigit,
                name: reveal ? info.name : info.maskedName,
                address: reveal ? info.address : info.maskedAddress,
                birthDate: reveal ? info.birthDate.description : BasicInfo.maskedBirthDate,
                sex: reveal ? info.sex.displayName : BasicInfo.maskedSex,
                sexCode: reveal ? info.sex.rawValue : BasicInfo.maskedSex,
                authenticity: .init(result: auth.result.code, reason: auth.result.reason, myNumberHashMatches: auth.myNumberHashMatches,
                                    basicInfoHashMatches: auth.basicInfoHashMatches, signatureMatchesCardKey: auth.signatureMatchesCardKey,
                                    certificateSignedByRoot: auth.certificateSignedByRoot, rootKeyID: auth.issuerKeyID, rootSource: auth.rootSource.code),
                chip: ChipReport(chip))
            if output.json {
                try Output.json(report)
            } else {
                Output.line("My Number:    \(terminalSafe(reveal ? data.myNumber.grouped : data.myNumber.masked))"
                            + (data.myNumber.hasValidCheckDigit ? "" : "  ⚠ WRONG CHECK DIGIT"))
                Output.line("name:         \(terminalSafe(report.name))")
                Output.line("address:      \(terminalSafe(report.address))")
                Output.line("birth date:   \(terminalSafe(report.birthDate))")
                Output.line("sex:          \(terminalSafe(report.sex))")
                Output.line("data:         \(terminalSafe("\(auth.result)"))")
                Output.line("chip:         \(terminalSafe(chip.result.chipWording))")
            }
            var problems: [String] = []
            if !data.myNumber.hasValidCheckDigit { problems.append("the My Number's check digit is wrong") }
            if case .notGenuine(let reason) = auth.result { problems.append("the data is not genuine: \(reason)") }
            if case .notGenuine(let reason) = chip.result { problems.append("the chip is not genuine: \(reason)") }
            if !problems.isEmpty {
                Output.message("mynacard: " + terminalSafe(problems.joined(separator: "; ")))
                throw NegativeResult(description: problems.joined(separator: "; "))
            }
        }
    }
}
