import CardSession

/// Whether a card looks issued without PINs: a 顔認証マイナンバーカード (since 2023-12-15) has no
/// signature certificate, and the PINs a holder sets (authentication, text applet, 住基) were never set; it is used
/// with face recognition or a visual check only (municipal pages; docs/card-facts.md). What such a
/// card answers to a retry query is not public: "not set" (`6A 88`) says so plainly, but a card that
/// answers as if the PINs were blocked cannot be told from a card whose PINs are blocked, so then
/// this only explains both possibilities.
public struct IssuedWithoutPINs: Equatable, Sendable {
    /// No signature certificate, and none of the PINs a holder sets (authentication, text, 住基) is usable.
    public let suspected: Bool
    /// The card itself says those PINs do not exist (`not set`).
    public let confirmed: Bool

    /// Judges `counters` (as ``CardSession/pinCounters()`` reads them) with EF 0008's word on the
    /// signature certificate.
    public init(counters: [PINCounter], signatureCertificateIssued: Bool) {
        let userPINs = counters.filter { [.jpkiAuthentication, .textInputAssist, .residentRegistry].contains($0.kind) }
        let unusable: [PINStatus] = [.blocked, .notSet]
        suspected = !signatureCertificateIssued && !userPINs.isEmpty
            && userPINs.allSatisfy { $0.status.map(unusable.contains) ?? false }
        confirmed = suspected && userPINs.allSatisfy { $0.status == .notSet }
    }

    /// What the user should know, or `nil` when the card does not look like one issued without PINs.
    public var explanation: String? {
        guard suspected else { return nil }
        if confirmed {
            return "no PIN is set on this card: it was issued without PINs (顔認証マイナンバーカード, since 2023-12-15) and is used "
                + "with face recognition or a visual check (health insurance, photo ID); services that need a PIN (マイナポータル, "
                + "convenience-store certificates, signing) do not work with it. The municipal office (市区町村窓口) can set PINs"
        }
        return "the PINs the holder sets answer as blocked and there is no signature certificate: if the back of the card "
            + "says 顔認証 (追記欄), it was issued without PINs (顔認証マイナンバーカード, since 2023-12-15) and this is expected; "
            + "otherwise the PINs are blocked. Either way, the municipal office (市区町村窓口) can set or reset them"
    }

    /// What a blocked PIN's line adds when the card may have been issued without PINs.
    public var blockedNote: String {
        "or never set, if this is a card issued without PINs (顔認証マイナンバーカード); see the note below"
    }
}
