/// The version of mynacard, printed by `mynacard --version`. The one place it is written: `scripts/package`
/// takes the Debian package's version from the built binary's `--version`.
let mynacardVersion = "0.1.0"
