// swift-tools-version:6.0
// libFuzzer targets for every parser of card or file data. Build and run them with fuzz/run, which passes
// -sanitize=fuzzer,address and keeps its build in .build-fuzz (see fuzz/README.md).
import PackageDescription

/// Each fuzz target: its name for fuzz/run and the modules it feeds.
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("FuzzTLV", [.product(name: "MyNumberCard", package: "mynacard")]),
    ("FuzzCardFile", [.product(name: "MyNumberCard", package: "mynacard")]),
    ("FuzzCVCertificate", [.product(name: "MyNumberCard", package: "mynacard")]),
    ("FuzzTextFiles", [.product(name: "MyNumberCard", package: "mynacard")]),
    ("FuzzCardFace", [.product(name: "MyNumberCard", package: "mynacard"), .product(name: "CardImages", package: "mynacard")]),
    ("FuzzCMS", [.product(name: "MyNumberCard", package: "mynacard"), .product(name: "X509", package: "swift-certificates")]),
    ("FuzzLoginBundle", [.product(name: "MyNumberCard", package: "mynacard"), .product(name: "X509", package: "swift-certificates")]),
    ("FuzzInputFiles", [.product(name: "MyNumberCard", package: "mynacard"), .product(name: "X509", package: "swift-certificates")]),
    ("FuzzJPEG2000", [.product(name: "CardImages", package: "mynacard")]),
]

let package = Package(
    name: "mynacard-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "mynacard", path: ".."),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
    ],
    targets: [
        // What the targets share: reading fixtures, and the structure-aware mutators.
        .target(name: "FuzzSupport"),
    ] + fuzzTargets.map { target in
        .executableTarget(name: target.name, dependencies: ["FuzzSupport"] + target.dependencies)
    },
    swiftLanguageModes: [.v6]
)
