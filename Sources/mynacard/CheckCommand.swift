import APDU
import ArgumentParser
import CardIO
import CardSession
import Foundation
import JPKIApplet
import KenmenAP
import X509
import _CryptoExtras

/// `mynacard check`: one screen for counter staff — is this card healthy?
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the card's health in one go: applets, certificates, PIN counters (and with --text, the text data).",
        discussion: """
            Reads only free data and PIN counters (no try is ever used) unless --text is given, which asks for the \
            text applet PIN and checks the My Number's check digit and that the data is genuine (give --root for the \
            full check). Exit 0 only when every line is OK; 1 when anything needs attention, with the reasons.
            """
    )

    @Flag(name: .long, help: "Also verify the text applet data (asks for the text applet PIN).")
    var text = false

    @OptionGroup var rootKey: RootKeyOptions
    @OptionGroup var card: CardOptions
    @OptionGroup var pinInput: PINInputOptions
    @OptionGroup var output: OutputOptions

    /// One line of the check.
    struct Item: Encodable {
        enum Status: String, Encodable { case ok, warning, fail }
        var id: String
        var status: Status
        var detail: String
    }

    struct Report: Encodable {
        var ok: Bool
        var checks: [Item]
        var problems: [String]
    }

    func run() throws {
        try Failure.report(json: output.json) {
            let root = try rootKey.load()
            let pinReader = pinInput.makeReader()
            let items = try withCard(card) { transport in try inspect(transport, root: root, pinReader: pinReader) }
            let problems = items.filter { $0.status != .ok }.map { "\($0.id): \($0.detail)" }
            let report = Report(ok: problems.isEmpty, checks: items, problems: problems)
            if output.json {
                try Output.json(report)
            } else {
                for item in items {
                    let mark = switch item.status {
                    case .ok: "OK  "
                    case .warning: "WARN"
                    case .fail: "FAIL"
                    }
                    Output.line("\(mark)  \(item.id.padding(toLength: 18, withPad: " ", startingAt: 0)) \(terminalSafe(item.detail))")
                }
                Output.line(problems.isEmpty ? "\nALL GREEN: the card looks healthy." : "\nNOT GREEN: \(problems.count) item(s) need attention (see WARN/FAIL above).")
            }
            if !problems.isEmpty { throw NegativeResult(description: problems.joined(separator: "; ")) }
        }
    }

    private func inspect(_ transport: PCSCCard, root: _RSA.Signing.PublicKey?, pinReader: PINReader) throws -> [Item] {
        var items: [Item] = []
        func add(_ id: String, _ status: Item.Status, _ detail: String) { items.append(Item(id: id, status: status, detail: detail)) }

        let session = CardSession(transport: transport)
        var present: [CardApplet: Bool] = [:]
        for applet in CardApplet.allCases { present[applet] = try session.hasApplet(applet.aid) }
        // The applets, not the ATR, make a My Number card: over NFC the reader makes up the ATR.
        let atr = CardATR(transport.atr)
        add("atr", atr != .other || present[.jpki] == true ? .ok : .warning, "\(transport.atr.hexString) (\(atr.note))")
        for applet in CardApplet.allCases {
            let here = present[applet] == true
            add("applet-\(applet.rawValue)", here || !applet.holdsCardData ? .ok : .fail,
                "\(applet.displayName): " + (here ? "present" : applet.holdsCardData ? "MISSING" : "absent (used only at the municipal office)"))
        }

        // Without the JPKI applet this is no My Number card: the lines above say so, and nothing more applies.
        guard present[.jpki] == true else { return items }
        items += checkCertificates(try JPKISession(transport: transport))
        // The text PIN is tried before the counters are read, so that they show the count after this try.
        let textItems = text && present[.textInputAssist] == true ? try checkText(transport, root: root, pinReader: pinReader) : []
        for counter in try session.pinCounters() {
            let status: Item.Status = switch counter.status {
            case .blocked: .fail
            case .remaining(1): .warning
            case nil: .warning
            default: .ok
            }
            let detail = "\(counter.kind.displayName): " + (counter.status.map { "\($0)" } ?? "counter cannot be read")
                + (counter.status == .blocked ? " — " + counter.kind.resetAdvice : counter.status == .remaining(1) ? " — one wrong PIN will block it" : "")
            add("pin-\(counter.kind.rawValue)", status, detail)
        }
        return items + textItems
    }

    /// The text applet's data: its PIN, the My Number's check digit, its authenticity.
    private func checkText(_ transport: PCSCCard, root: _RSA.Signing.PublicKey?, pinReader: PINReader) throws -> [Item] {
        let data: TextAPData
        do {
            let textAP = try TextAPSession(transport: transport)
            try textAP.verifyPIN(force: pinInput.force) { try pinReader.read(.textInputAssist, force: pinInput.force, on: transport) }
            data = try textAP.readAll(root: root)
        } catch let error as CardSessionError {
            return [Item(id: "text-data", status: .fail, detail: "the text data could not be checked: \(Failure.plainDescription(of: error))")]
        }
        let status: Item.Status = switch data.authenticity.result {
        case .genuine: .ok
        case .notGenuine: .fail
        case .cannotCheck: .warning
        }
        return [
            Item(id: "text-check-digit", status: data.myNumber.hasValidCheckDigit ? .ok : .fail,
                 detail: data.myNumber.hasValidCheckDigit ? "the My Number's check digit is right" : "the My Number's check digit is WRONG"),
            Item(id: "text-authenticity", status: status, detail: "text data \(data.authenticity.result)"),
        ]
    }

    /// Presence, parsing, chaining and validity of the JPKI certificates.
    private func checkCertificates(_ jpki: JPKISession) -> [Item] {
        var items: [Item] = []
        func add(_ id: String, _ status: Item.Status, _ detail: String) { items.append(Item(id: id, status: status, detail: detail)) }
        do {
            try jpki.session.selectFile(JPKIFiles.certificateAvailability, name: "the certificate availability file")
            let flags = try jpki.session.readBinary(length: 3, name: "the certificate availability file")
            let both = flags.prefix(2) == [0x8F, 0x8F]
            add("jpki-cert-presence", both ? .ok : .warning,
                both ? "authentication and signature certificates present (EF 0008 \(flags.hexString))"
                    : "EF 0008 reads \(flags.hexString), not 8F8F…: a certificate may be missing or revoked")
        } catch {
            add("jpki-cert-presence", .warning, "the certificate availability file cannot be read: \(Failure.plainDescription(of: error))")
        }
        let now = Date()
        let dates = ISO8601DateFormatter()
        var parsed: [JPKICertificateKind: Certificate] = [:]
        for kind in [JPKICertificateKind.authentication, .authenticationCA, .signingCA] {
            do {
                let certificate = try jpki.certificate(kind).certificate
                parsed[kind] = certificate
                let validity = "valid \(dates.string(from: certificate.notValidBefore)) to \(dates.string(from: certificate.notValidAfter))"
                switch certificate.validity(at: now) {
                case .expired where kind == .authentication:
                    add("cert-\(kind.rawValue)", .fail, "the \(kind.displayName) has EXPIRED (\(validity)); renew it at the municipal office")
                case .expired:
                    // J-LIS's own certificate, stored on the card: there is nothing for the holder to renew.
                    add("cert-\(kind.rawValue)", .warning, "the \(kind.displayName) stored on the card has expired (\(validity)); "
                        + "it is J-LIS's certificate, not the holder's: the holder has nothing to renew for it "
                        + "(the holder's own certificate has its own line)")
                case .notYetValid:
                    add("cert-\(kind.rawValue)", .fail, "the \(kind.displayName) is not valid yet (\(validity))")
                case .valid:
                    add("cert-\(kind.rawValue)", .ok, "the \(kind.displayName) parses and is within its validity (\(validity))")
                }
            } catch {
                add("cert-\(kind.rawValue)", .fail, "the \(kind.displayName) cannot be read or parsed: \(Failure.plainDescription(of: error))")
            }
        }
        if let auth = parsed[.authentication], let ca = parsed[.authenticationCA] {
            let chains = auth.isIssued(by: ca)
            add("cert-auth-chain", chains ? .ok : .fail,
                chains ? "the authentication certificate is signed by the authentication CA on the card"
                    : "the authentication certificate is NOT signed by the authentication CA on the card")
        }
        return items
    }
}
