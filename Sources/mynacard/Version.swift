/// mynacard's version, shown by `mynacard --version`: the one place it is written (`scripts/package` takes
/// the Debian packages' version from the built binary's `--version`).
let mynacardVersion = "0.1.0"
