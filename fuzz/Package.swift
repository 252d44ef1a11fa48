// swift-tools-version:6.0
// libFuzzer targets for every parser of card or file data, in one program (MYNACARD_FUZZ_TARGET picks the
// target). Build and run them with fuzz/run, which passes -sanitize=fuzzer,address and keeps its build in
// .build-fuzz (fuzz/README.md).
import PackageDescription

let package = Package(
    name: "mynacard-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "mynacard", path: ".."),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "MynacardFuzz",
            dependencies: [
                .product(name: "MyNumberCard", package: "mynacard"),
                .product(name: "CardImages", package: "mynacard"),
                .product(name: "DocumentSignatures", package: "mynacard"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
