import Foundation
import JPKIApplet
import X509

extension TrustOptions {
    /// Whether a trusted CA issued the certificate that signed a document (both valid at `date`, key usage
    /// allowing signatures), in the words `pdf check` and `xml verify` report it.
    func documentSignerVerdict(_ certificate: Certificate?, store: TrustStore, at date: Date) -> (passed: Bool, detail: String) {
        guard let certificate else { return (false, "there is no signer certificate to check") }
        switch store.issuer(of: certificate, for: .documentSigning, at: date) {
        case .success(let anchor): return (true, "issued by \(anchor.label)")
        case .failure(let failure): return (false, "\(failure) (trusted: \(givenCAs ? "the CAs given with --ca" : "the built-in J-LIS CAs"))")
        }
    }
}

/// A certificate's subject as reports show it: common names (the マイキーID) masked unless `reveal`.
func subjectText(_ certificate: Certificate, reveal: Bool) -> String {
    reveal ? certificate.subject.description : certificate.subject.description(maskingCommonNames: MyKeyID.mask)
}
