/// Why a PDF cannot be read or signed, in plain language with what to do.
public enum PDFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a PDF at all.
    case notPDF
    /// The file is damaged where this tool needs to read it.
    case damaged(String)
    /// The file is encrypted (password-protected or restricted).
    case encrypted
    /// The file uses something this tool does not read (an unusual filter, say).
    case unsupported(String)
    /// The file may not be signed as it is (certified against changes, say).
    case notSignable(String)
    /// The signature did not fit the space reserved for it (a programming error if it happens).
    case signatureTooLarge(needed: Int, reserved: Int)

    public var description: String {
        switch self {
        case .notPDF: "it is not a PDF file (it does not start with %PDF-)"
        case .damaged(let why): "the PDF is damaged (\(why)); repair it first, e.g. with `qpdf in.pdf repaired.pdf`"
        case .encrypted:
            "the PDF is encrypted (password-protected or restricted); save an unencrypted copy first, e.g. with `qpdf --decrypt in.pdf out.pdf`"
        case .unsupported(let what): "the PDF uses \(what), which this tool does not read; rewrite it first, e.g. with `qpdf in.pdf out.pdf`"
        case .notSignable(let why): "the PDF cannot be signed: \(why)"
        case .signatureTooLarge(let needed, let reserved): "the signature (\(needed) bytes) does not fit the \(reserved) bytes reserved for it"
        }
    }
}
