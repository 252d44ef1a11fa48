import Foundation
import Testing

/// The tools no one here wrote that judge signed documents: poppler's pdfsig (with an NSS database that
/// trusts the TEST CAs), pyHanko, qpdf, xmlsec1 and ssh-keygen. scripts/test installs them (pyHanko in a
/// venv under .build/test-tools); a missing tool fails the test with how to get it.
enum DocumentTools {
    static let pyhanko = EmulatedCardFixture.packageRoot.appendingPathComponent(".build/test-tools/pyhanko/bin/pyhanko")

    /// The path of a Debian tool, or a failure saying how to install it.
    static func tool(_ name: String) throws -> URL {
        for folder in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw FixtureError("\(name) is not installed; scripts/test installs it (scripts/lib.sh MYNACARD_TEST_PACKAGES)")
    }

    /// Runs a tool and returns what it printed (standard output and error together) and its exit code.
    static func run(_ name: String, _ arguments: [String], in folder: URL? = nil) throws -> (code: Int32, output: String) {
        let executable = name == "pyhanko" ? pyhanko : try tool(name)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw FixtureError("pyHanko is not installed in \(pyhanko.path); scripts/test installs it from PyPI")
        }
        let result: CommandResult
        if let folder {
            // Some tools resolve relative names against the working directory (xmlsec1's file references).
            result = try EmulatedCardFixture.runProcess(URL(fileURLWithPath: "/bin/sh"),
                                                        ["-c", "cd \"$0\" && exec \"$@\"", folder.path, executable.path] + arguments)
        } else {
            result = try EmulatedCardFixture.runProcess(executable, arguments)
        }
        return (result.exitCode, result.stdoutText + result.stderr)
    }

    /// An NSS database in `folder` trusting `certificates` (PEM files) as CAs, for pdfsig's `-nssdir`.
    static func nssDatabase(in folder: URL, trusting certificates: [String]) throws -> String {
        let database = folder.appendingPathComponent("nss")
        try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)
        let made = try run("certutil", ["-N", "-d", "sql:" + database.path, "--empty-password"])
        guard made.code == 0 else { throw FixtureError("certutil -N: \(made.output)") }
        for (index, certificate) in certificates.enumerated() {
            let added = try run("certutil", ["-A", "-d", "sql:" + database.path, "-n", "test-ca-\(index)", "-t", "CT,C,C", "-i", certificate])
            guard added.code == 0 else { throw FixtureError("certutil -A: \(added.output)") }
        }
        return "sql:" + database.path
    }

    /// Expects poppler's pdfsig to find `count` signatures, every one "Signature is Valid.", with trusted
    /// certificates unless `trustedCertificates` is false, the last one covering the whole document.
    static func expectPdfsigAccepts(_ file: String, nss: String, count: Int, trustedCertificates: Bool = true,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run("pdfsig", ["-nssdir", nss, file])
        #expect(result.code == 0, "pdfsig \(file): \(result.output)", sourceLocation: sourceLocation)
        #expect(result.output.components(separatedBy: "Signature is Valid.").count - 1 == count, "pdfsig: \(result.output)", sourceLocation: sourceLocation)
        if trustedCertificates {
            #expect(result.output.components(separatedBy: "Certificate is Trusted.").count - 1 == count, "pdfsig: \(result.output)", sourceLocation: sourceLocation)
        }
        #expect(result.output.contains("Total document signed"), "pdfsig: \(result.output)", sourceLocation: sourceLocation)
        #expect(result.output.contains("adbe.pkcs7.detached"), sourceLocation: sourceLocation)
    }

    /// Expects `pyhanko sign validate` to judge all `count` signatures VALID against the trust roots.
    static func expectPyHankoAccepts(_ file: String, trusting roots: [String], count: Int,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let arguments = ["sign", "validate", "--no-revocation-check", "--trust-replace", "--executive-summary"]
            + roots.flatMap { ["--trust", $0] } + [file]
        let result = try run("pyhanko", arguments)
        #expect(result.code == 0, "pyhanko: \(result.output)", sourceLocation: sourceLocation)
        #expect(result.output.components(separatedBy: ":VALID").count - 1 == count, "pyhanko: \(result.output)", sourceLocation: sourceLocation)
    }

    /// Expects `qpdf --check` to find no damage.
    static func expectQpdfAccepts(_ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run("qpdf", ["--check", file])
        #expect(result.code == 0, "qpdf --check: \(result.output)", sourceLocation: sourceLocation)
        #expect(result.output.contains("No syntax or stream encoding errors found"), "qpdf: \(result.output)", sourceLocation: sourceLocation)
    }
}
