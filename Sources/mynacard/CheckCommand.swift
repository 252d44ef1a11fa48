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
            let items = try withCard(card) { session in try inspect(session, root: root, pinReader: pinReader) }
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

    private func inspect(_ session: CardSession, root: _RSA.Signing.PublicKey?, pinReader: PINReader) throws -> [Item] {
        var items: [Item] = []
        func add(_ id: String, _ status: Item.Status, _ detail: String) { items.append(Item(id: id, status: status, detail: detail)) }
        func add(_ item: Item) { items.append(item) }

        // APDUs are counted (bench/run): the JPKI applet is selected once for its presence, its files and its
        // PINs; the other applets' presence comes with their PIN counters. Without --text it is all one card
        // operation; the text PIN is typed with the card free.
        let transport = session.transport
        let atr = CardATR(transport.atr)
        let jpkiPart = try session.operation { () -> (CertificateAvailability?, [Item], Bool)? in
            guard try session.hasApplet(CardApplet.jpki.aid) else {
                var present: Set<CardApplet> = []
                for applet in CardApplet.allCases where try applet != .jpki && session.hasApplet(applet.aid) { present.insert(applet) }
                let diagnosis = CardDiagnosis(applets: present, token: nil)
                // The ATR is no reason for a verdict either way: the missing applets are.
                add("atr", .ok, "\(transport.atr.hexString) (\(atr.note))")
                add("card", .fail, diagnosis.summary)
                for applet in CardApplet.allCases { add(Self.appletItem(applet, present: present, smartphone: false)) }
                return nil  // without the JPKI applet nothing more applies
            }
            let jpki = try JPKISession(session: session, selected: true)
            let availability = try? jpki.certificateAvailability()
            let (certificateItems, authNeedsPIN) = checkCertificates(jpki, availability: availability)
            return (availability, certificateItems, authNeedsPIN)
        }
        guard let (availability, certificateItems, authNeedsPIN) = jpkiPart else { return items }
        // The text PIN is tried before the counters are read, so that they show the count after this try.
        let textItems = text ? try checkText(session, root: root, pinReader: pinReader) : []
        let (counters, token) = try session.operation {
            let counters = try session.pinCounters()
            var present: Set<CardApplet> = [.jpki]
            for counter in counters { present.insert(counter.kind.applet) }
            // The token label tells a smartphone or a 住基カード from a card with missing applets; read it only then.
            let needsToken = authNeedsPIN || !CardDiagnosis.myNumberCardApplets.allSatisfy(present.contains)
            return (counters, needsToken ? try JPKISession(session: session).tokenKind() : nil)
        }
        var present: Set<CardApplet> = [.jpki]
        for counter in counters { present.insert(counter.kind.applet) }
        let diagnosis = CardDiagnosis(applets: present, token: token)
        // The applets, not the ATR, make a My Number card: over NFC the reader makes up the ATR.
        add("atr", atr.card == .residentRegistryCard && diagnosis != .myNumberCard ? .warning : .ok, "\(transport.atr.hexString) (\(atr.note))")
        add("card", diagnosis.isUsable ? .ok : .fail, diagnosis.summary)
        let smartphone = if case .smartphone = diagnosis { true } else { false }
        for applet in CardApplet.allCases { add(Self.appletItem(applet, present: present, smartphone: smartphone)) }
        items += certificateItems

        let signatureIssued = availability?.isIssued(.signing) ?? true
        let withoutPINs = IssuedWithoutPINs(counters: counters, signatureCertificateIssued: signatureIssued)
        for counter in counters {
            let (status, note) = Self.counterVerdict(counter, signatureIssued: signatureIssued, withoutPINs: withoutPINs)
            let detail = "\(counter.kind.displayName): " + (counter.status.map { "\($0)" } ?? "counter cannot be read") + (note.map { " — " + $0 } ?? "")
            add("pin-\(counter.kind.rawValue)", status, detail)
        }
        if let explanation = withoutPINs.explanation { add("no-pins-card", .ok, explanation) }
        return items + textItems
    }

    /// The text applet's data: its PIN, the My Number's check digit, its authenticity. Nothing on a card
    /// without the text applet (its applet line says so).
    private func checkText(_ session: CardSession, root: _RSA.Signing.PublicKey?, pinReader: PINReader) throws -> [Item] {
        let data: TextAPData
        do {
            data = try session.withPIN(.textInputAssist, force: pinInput.force, entry: pinReader.entry(force: pinInput.force)) {
                try TextAPSession(session: session, selected: true).readAll(root: root)
            }
        } catch CardSessionError.appletNotFound {
            return []
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

    /// An applet's line: missing fails, except the resident-registry applet (used only at the municipal
    /// office) and, on a smartphone, the applets only cards have.
    static func appletItem(_ applet: CardApplet, present: Set<CardApplet>, smartphone: Bool) -> Item {
        let here = present.contains(applet)
        let why = here ? "present" : !applet.holdsCardData ? "absent (used only at the municipal office)"
            : smartphone ? "absent (not on a smartphone)" : "MISSING"
        return Item(id: "applet-\(applet.rawValue)", status: here || !applet.holdsCardData || smartphone ? .ok : .fail,
                    detail: "\(applet.displayName): " + why)
    }

    /// How a PIN counter's line reads: blocked fails, one try left warns; a PIN the card was issued
    /// without (no signature certificate, or no PINs at all) is no fault.
    static func counterVerdict(_ counter: PINCounter, signatureIssued: Bool, withoutPINs: IssuedWithoutPINs) -> (Item.Status, String?) {
        if counter.kind == .jpkiSigning && !signatureIssued && (counter.status == nil || counter.status == .notSet) {
            return (.ok, "not issued with this card (it has no signature certificate)")
        }
        switch counter.status {
        case .blocked:
            return (.fail, withoutPINs.suspected ? withoutPINs.blockedNote : counter.kind.resetAdvice)
        case .remaining(1): return (.warning, "one wrong PIN will block it")
        case nil: return (.warning, nil)
        case .notSet: return (.ok, "this card was issued without it")
        case .remaining, .verified, .unlimited: return (.ok, nil)
        }
    }

    /// Presence, parsing, chaining and validity of the JPKI certificates; and whether the authentication
    /// certificate is held back until its PIN (a smartphone token).
    private func checkCertificates(_ jpki: JPKISession, availability: CertificateAvailability?) -> ([Item], authNeedsPIN: Bool) {
        var items: [Item] = []
        var authNeedsPIN = false
        func add(_ id: String, _ status: Item.Status, _ detail: String) { items.append(Item(id: id, status: status, detail: detail)) }
        if let availability {
            let flags = availability.raw.hexString
            switch (availability.isIssued(.authentication), availability.isIssued(.signing)) {
            case (true, true):
                add("jpki-cert-presence", .ok, "authentication and signature certificates present (EF 0008 \(flags))")
            case (true, false):
                add("jpki-cert-presence", .ok, "the signature certificate is not issued on this card (EF 0008 \(flags)): "
                    + "it is not issued to children under 15, on cards issued without PINs, or to anyone who declined it")
            case (false, _):
                add("jpki-cert-presence", .warning, "EF 0008 reads \(flags): the authentication certificate is not issued on this card, "
                    + "or was revoked; online services that need it will not work")
            }
        } else {
            add("jpki-cert-presence", .warning, "the certificate availability file (EF 0008) cannot be read")
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
            } catch CardSessionError.pinRequired(let pin, _) where kind == .authentication {
                authNeedsPIN = true
                add("cert-\(kind.rawValue)", .ok, "the \(kind.displayName) is released only after the \(pin.displayName) on this token; not checked")
            } catch where kind == .signingCA && availability?.isIssued(.signing) == false {
                add("cert-\(kind.rawValue)", .ok, "the \(kind.displayName) is not on this card (it has no signature certificate)")
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
        return (items, authNeedsPIN)
    }
}
