// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mynacard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mynacard", targets: ["mynacard"]),
        .executable(name: "mynacard-emulator", targets: ["mynacard-emulator"]),
        .library(name: "MyNumberCard", targets: ["APDU", "CardIO", "CardSession", "CMS", "JPKIApplet", "KenmenAP"]),
        .library(name: "DocumentSignatures", targets: ["CMS", "PDFSignature", "XMLSignature"]),
        // The card-face photo's JPEG 2000 decoding (with its limits) and the PNG writer; fuzz/ uses it too.
        .library(name: "CardImages", targets: ["CardImages"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // Only for the card face's signature, a PKCS#1 v1.5 block over a 96-byte payload that no RSA API takes.
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.0"),
        // Only for the counter page's local web server (CounterServer).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    ],
    targets: [
        // pcsc-lite, linked through pkg-config (Debian: libpcsclite-dev).
        .systemLibrary(
            name: "CPCSCLite",
            pkgConfig: "libpcsclite",
            providers: [.apt(["libpcsclite-dev"])]
        ),
        // OpenJPEG, for decoding the card-face photo (JPEG 2000). Debian: libopenjp2-7-dev.
        .systemLibrary(
            name: "COpenJPEG",
            pkgConfig: "libopenjp2",
            providers: [.apt(["libopenjp2-7-dev"])]
        ),
        // zlib, for the PNG writer's deflate stream. Debian: zlib1g-dev.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // prctl and setrlimit, to keep PINs out of core dumps (prctl is variadic: Swift cannot call it directly).
        .systemLibrary(name: "CProcessControl"),
        // Image formats of the card face: JPEG 2000 decoding (OpenJPEG) and a small PNG writer.
        .target(name: "CardImages", dependencies: ["COpenJPEG", "CZlib"]),
        // Bytes ⇄ commands, responses, status words, TLV. No I/O.
        .target(name: "APDU"),
        // Talking to a card: the CardTransport abstraction and its PC/SC implementation.
        .target(name: "CardIO", dependencies: ["APDU", "CPCSCLite"]),
        // What every applet session shares: selecting, reading files, PINs and their guard.
        .target(name: "CardSession", dependencies: ["APDU", "CardIO"]),
        // Signature formats that know nothing of cards: digests and DigestInfo, detached CMS SignedData.
        .target(
            name: "CMS",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Signed PDFs as the 法務局 accepts them (incremental updates, adbe.pkcs7.detached), and their check.
        // Knows nothing of cards: it takes a CMS.DigestSigner.
        .target(
            name: "PDFSignature",
            dependencies: [
                "CMS", "CZlib",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // libxml2, for Canonical XML in XML signatures. Debian: libxml2-dev.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // Enveloped XML signatures as e-Gov's 構成情報 carries them (C14N 1.0 by libxml2), and their check.
        // Knows nothing of cards: it takes a CMS.DigestSigner.
        .target(
            name: "XMLSignature",
            dependencies: [
                "CMS", "CLibXML2",
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        // Software DigestSigners (TEST keys of fixtures/, EC keys made by openssl) for testing the formats without a card.
        .target(
            name: "TestSigners",
            dependencies: [
                "CMS",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/TestSigners"
        ),
        // 公的個人認証 (JPKI) applet: certificates, PINs, card-side signing.
        .target(
            name: "JPKIApplet",
            dependencies: [
                "APDU", "CardIO", "CardSession", "CMS",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // 券面AP (card face) and 券面事項入力補助AP (text).
        .target(
            name: "KenmenAP",
            dependencies: [
                "APDU", "CardIO", "CardSession",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "BigInt", package: "BigInt"),
            ]
        ),
        // The counter page: a local web server (127.0.0.1 only) that follows the readers and shows the card.
        // Its page (HTML, CSS, JavaScript, labels) is compiled into the binary.
        .target(
            name: "CounterServer",
            dependencies: [
                "APDU", "CardIO", "CardSession", "JPKIApplet", "KenmenAP", "CardImages",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            resources: [
                .embedInCode("Page/index.html"), .embedInCode("Page/counter.css"), .embedInCode("Page/counter.js"),
                .embedInCode("Page/labels-en.json"), .embedInCode("Page/labels-ja.json"),
            ]
        ),
        // A faithful emulation of the card's APDU interface, driven by a profile in fixtures/.
        .target(
            name: "CardEmulator",
            dependencies: [
                "APDU", "CardIO",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "mynacard-emulator",
            dependencies: [
                "CardEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "mynacard",
            dependencies: [
                "APDU", "CardIO", "CardSession", "JPKIApplet", "KenmenAP", "CardImages", "CProcessControl", "PDFSignature", "XMLSignature",
                "CounterServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "APDUTests", dependencies: ["APDU"]),
        .testTarget(name: "CardIOTests", dependencies: ["APDU", "CardIO"]),
        .testTarget(
            name: "CardEmulatorTests",
            dependencies: [
                "APDU", "CardIO", "CardEmulator",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "JPKIAppletTests",
            dependencies: [
                "APDU", "CardIO", "CardSession", "JPKIApplet", "CardEmulator",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "KenmenAPTests",
            dependencies: [
                "APDU", "CardIO", "CardSession", "KenmenAP", "CardEmulator", "CardImages", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "CounterServerTests", dependencies: ["CounterServer", "CardSession"]),
        .testTarget(
            name: "DocumentSignatureTests",
            dependencies: [
                "CMS", "PDFSignature", "XMLSignature", "TestSigners",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                // Executables, so that `swift test` builds the binaries these tests run.
                "mynacard", "mynacard-emulator", "CZlib", "CMS", "PDFSignature", "XMLSignature", "TestSigners",
                // Plain pcsc-lite, for tests that play another program on the same card.
                "CPCSCLite",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
