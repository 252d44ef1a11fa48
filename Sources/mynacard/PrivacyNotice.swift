import JPKIApplet

/// What users are told before the signing key signs: its certificate, which travels with every signature,
/// holds their name, address, birth date and sex.
enum PrivacyNotice {
    /// Says so on standard error, unless `quiet`; call it once per command.
    static func beforeSigning(with key: JPKIKey, quiet: Bool) {
        guard key == .signing, !quiet else { return }
        Output.message("""
            mynacard: note: a signature made with the signing key carries its certificate (署名用電子証明書), which holds \
            your name, address, birth date and sex: whoever receives the signed data can read them. (--quiet hides this note.)
            """)
    }
}
