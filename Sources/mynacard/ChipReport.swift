import KenmenAP

/// The chip check (internal authentication) as `face` and `text` write it in JSON:
/// `{"result": "genuine"|"not-genuine"|"cannot-check", "reason"?, "challengeSignatureVerifies"?}`.
struct ChipReport: Encodable {
    var result: String
    var reason: String?
    var challengeSignatureVerifies: Bool?

    init(_ report: ChipAuthenticityReport) {
        result = report.result.code
        reason = report.result.reason
        challengeSignatureVerifies = report.challengeSignatureVerifies
    }
}

extension AuthenticityResult {
    /// The chip verdict in words: `genuine`, `NOT genuine: …` or `not checked: …`.
    var chipWording: String {
        switch self {
        case .genuine: "genuine (it holds the card key the signed data names)"
        case .notGenuine(let reason): "NOT genuine: \(reason)"
        case .cannotCheck(let reason): "not checked: \(reason)"
        }
    }
}
