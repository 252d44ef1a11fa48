/// Why an XML document cannot be signed or checked, in plain language.
public enum XMLSignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not well-formed XML, or XML this tool refuses (a DOCTYPE).
    case malformed(String)
    /// No element carries the ID to sign.
    case elementNotFound(String)
    /// An attached file's name cannot be a reference (it names a folder).
    case badAttachmentName(String)

    public var description: String {
        switch self {
        case .malformed(let why): "the XML cannot be used: \(why)"
        case .elementNotFound(let id): "no element has the ID \(id) (an attribute ID=\"\(id)\"); give the ID to sign with --id"
        case .badAttachmentName(let name): "\(name) cannot be referenced: attached files are named without a folder, next to the XML"
        }
    }
}
