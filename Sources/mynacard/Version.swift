/// mynacard's version, shown by `mynacard --version`: the one place it is written.
let mynacardVersion = "0.1.0"
