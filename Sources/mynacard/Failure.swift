import APDU
import ArgumentParser
import CardIO
import CardSession
import CardImages
import Foundation
import JPKIApplet
import SwiftASN1

/// How a failed command ends: a plain-language message on standard error, the same as JSON on standard
/// output when `--json` was asked for, and a documented exit code.
enum Failure {
    /// Runs a command body, turning its errors into a message and an exit code.
    static func report(json: Bool, _ body: () throws -> Void) throws {
        jsonRequested = json
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ExitCode(emit(error, json: json))
        }
    }

    /// Whether the command being run asked for JSON, for ``end(with:)``. Set once by ``report(json:_:)``,
    /// before any other thread starts.
    nonisolated(unsafe) private static var jsonRequested = false

    /// Reports `error` as ``report(json:_:)`` does and ends the process at once, from any thread: for the
    /// card watchdog, while the main thread is stuck in a call that cannot be interrupted.
    static func end(with error: any Error) -> Never {
        _exit(emit(error, json: jsonRequested))
    }

    /// Writes the message (and the JSON error) for `error`; returns its exit code.
    private static func emit(_ error: any Error, json: Bool) -> Int32 {
        let (kind, code) = classify(error)
        let reported = error is NegativeResult || error is UntrustedResult
        let message = plainDescription(of: error)
        if !reported { Output.message("mynacard: \(terminalSafe(message))") }
        if json && !reported {
            try? Output.json(ErrorReport(error: .init(kind: kind, message: message, exitCode: code)))
        }
        return code
    }

    struct ErrorReport: Encodable {
        struct Detail: Encodable {
            var kind: String
            var message: String
            var exitCode: Int32
        }
        var ok = false
        var error: Detail
    }

    /// A stable error kind for scripts and the exit code for `error`.
    static func classify(_ error: any Error) -> (String, Int32) {
        switch error {
        case is NegativeResult: return ("negative-result", 1)
        case let error as CardTimeout: return error.waitingFor == .card ? ("card-timeout", 4) : ("card-in-use", 3)
        case is UntrustedResult: return ("untrusted-signature", 6)
        case let error as CardSessionError:
            switch error {
            case .wrongPIN: return ("pin-wrong", 2)
            case .pinBlocked: return ("pin-blocked", 2)
            case .lastTryRefused: return ("pin-last-try-refused", 2)
            case .counterChanged: return ("pin-counter-changed", 2)
            case .invalidPINFormat: return ("pin-invalid-format", 2)
            case .pinRequired: return ("pin-required", 2)
            case .appletNotFound: return ("not-a-my-number-card", 4)
            case .card: return ("card-error", 4)
            case .malformedData: return ("card-data-malformed", 4)
            case .pinNotSet: return ("pin-not-set", 7)
            case .notIssued: return ("not-issued", 7)
            case .pinTryInterrupted(_, let cause), .pinChangeInterrupted(_, let cause): return classify(cause)
            }
        case let error as CardIOError:
            switch error {
            case .serviceUnavailable, .serviceStopped: return ("pcsc-unavailable", 3)
            case .noReaders: return ("no-reader", 3)
            case .readerNotFound: return ("reader-not-found", 3)
            case .ambiguousReader: return ("reader-ambiguous", 3)
            case .noCard, .timedOutWaitingForCard: return ("no-card", 3)
            case .cardRemoved: return ("card-removed", 4)
            case .cardInUse, .cardReset: return ("card-in-use", 3)
            case .accessDenied: return ("reader-access-denied", 3)
            case .cardUnresponsive, .protocolMismatch, .protocolViolation, .pcsc: return ("card-io-error", 4)
            }
        case is PINInputError: return ("pin-input", 5)
        case is InputError: return ("input-error", 5)
        case is CMSFormatError: return ("input-error", 5)
        case is APDUError: return ("card-data-malformed", 4)
        case is ImageError: return ("image-decode-failed", 4)
        case is ASN1Error: return ("card-data-malformed", 4)
        default: return ("error", 4)
        }
    }

    /// `error` in words, without the internals of the libraries below (a Swift source file and line, an
    /// `NSCocoaErrorDomain` number): the project's own errors say what happened; a foreign one is named by
    /// what it means.
    static func plainDescription(of error: any Error) -> String {
        switch error {
        case is ASN1Error:
            return "the data is not valid DER (ASN.1): it is damaged or not what was expected"
        case let error as CocoaError:
            if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                return systemReason(Int32(underlying.code))
            }
            return "a file operation failed"
        case let error as NSError where error.domain == NSPOSIXErrorDomain:
            return systemReason(Int32(error.code))
        case let error as CustomStringConvertible:
            return error.description
        default:
            return "an unexpected error (\(type(of: error)))"
        }
    }

    /// Ends the process for an error that escaped a command: help and `--version` as ArgumentParser prints
    /// them; a usage error (exit 64) with its message — where an argument shaped like a PIN is not repeated,
    /// since a PIN typed by mistake must not reach the screen or a log — and, when JSON was asked for, the
    /// JSON error object (kind `usage`) on standard output.
    static func end(afterParsingOrRunning error: any Error, arguments: [String]) -> Never {
        let code = Mynacard.exitCode(for: error)
        if code == .success || error is ExitCode { Mynacard.exit(withError: error) }
        func redacted(_ text: String) -> String {
            arguments.filter(hasPINShape).reduce(text) { text, argument in
                text.replacingOccurrences(of: "'\(argument)'", with: "(an argument shaped like a PIN, not repeated here)")
                    .replacingOccurrences(of: "\"\(argument)\"", with: "(an argument shaped like a PIN, not repeated here)")
            }
        }
        Output.message(redacted(Mynacard.fullMessage(for: error)).split(separator: "\n", omittingEmptySubsequences: false)
            .map { terminalSafe(String($0)) }.joined(separator: "\n"))
        let wantsJSON = arguments.contains("--json") || arguments.contains("--format=json")
            || zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" }
        if wantsJSON {
            try? Output.json(ErrorReport(error: .init(kind: "usage", message: redacted(Mynacard.message(for: error)), exitCode: code.rawValue)))
        }
        Mynacard.exit(withError: ExitCode(code.rawValue))
    }
}
