import CMS
import Foundation
import X509

/// Paths shared by the tests that sign documents.
public enum TestFiles {
    /// The package root (holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("cannot find the package root above \(#filePath)")
    }()

    /// A file under `fixtures/`.
    public static func fixture(_ path: String) -> URL { packageRoot.appendingPathComponent("fixtures/" + path) }

    /// A new empty folder under the temporary folder, for one test.
    public static func scratchDirectory(_ label: String = "documents") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mynacard-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A TEST certificate hierarchy with EC keys made by openssl (a CA and a signer), standing in for the
/// next card generation (ECDSA P-384 / SHA-384). Everything lives in the folder given.
public struct ECTestPKI {
    /// The CA certificate, PEM.
    public let caCertificate: URL
    /// The signer, with the CA in its chain.
    public let signer: SoftwareSigner

    /// The signer's key file (SEC1 PEM, as openssl writes it) and certificate (PEM).
    public let signerKey: URL
    public let signerCertificate: URL

    /// Makes a CA and a signer on `curve` (an openssl curve name, default P-384) in `folder`; the signer's
    /// keyUsage is a signature certificate's unless `keyUsage` says otherwise (`digitalSignature` for login).
    public init(in folder: URL, curve: String = "secp384r1", signerName: String = "EC TEST SIGNER",
                keyUsage: String = "digitalSignature,nonRepudiation") throws {
        let caKey = folder.appendingPathComponent("ec-ca-key.pem").path
        let caCert = folder.appendingPathComponent("ec-ca.pem").path
        let key = folder.appendingPathComponent("ec-signer-key.pem").path
        let request = folder.appendingPathComponent("ec-signer.csr").path
        let cert = folder.appendingPathComponent("ec-signer.pem").path
        let extensions = folder.appendingPathComponent("ec-signer.ext")
        try Data("keyUsage=critical,\(keyUsage)\nbasicConstraints=CA:FALSE\n".utf8).write(to: extensions)
        try Self.openssl(["ecparam", "-name", curve, "-genkey", "-noout", "-out", caKey])
        try Self.openssl(["req", "-x509", "-new", "-key", caKey, "-out", caCert, "-days", "3650", "-sha384",
                          "-subj", "/C=JP/O=JPKI TEST/OU=EC TEST CA - TEST ONLY",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try Self.openssl(["ecparam", "-name", curve, "-genkey", "-noout", "-out", key])
        try Self.openssl(["req", "-new", "-key", key, "-out", request, "-subj", "/C=JP/CN=\(signerName)"])
        try Self.openssl(["x509", "-req", "-in", request, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial", "-out", cert,
                          "-days", "3650", "-sha384", "-extfile", extensions.path])
        caCertificate = URL(fileURLWithPath: caCert)
        signerKey = URL(fileURLWithPath: key)
        signerCertificate = URL(fileURLWithPath: cert)
        let ca = try Certificate(pemEncoded: String(decoding: try Data(contentsOf: caCertificate), as: UTF8.self))
        let leaf = try Certificate(pemEncoded: String(decoding: try Data(contentsOf: URL(fileURLWithPath: cert)), as: UTF8.self))
        // openssl writes SEC1 ("EC PRIVATE KEY"); swift-crypto reads PKCS#8, so convert.
        let pkcs8 = folder.appendingPathComponent("ec-signer-key.p8.pem").path
        try Self.openssl(["pkcs8", "-topk8", "-nocrypt", "-in", key, "-out", pkcs8])
        signer = try SoftwareSigner(key: Array(try Data(contentsOf: URL(fileURLWithPath: pkcs8))), certificate: leaf, chain: [ca])
    }

    /// Runs `openssl` with `arguments`; throws with its standard error when it fails.
    public static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SoftwareSignerError("openssl \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
    }
}
