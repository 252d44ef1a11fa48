import APDU
import ArgumentParser
import CardIO
import CardSession
import CardImages
import Foundation
import JPKIApplet

/// How a failed command ends: a plain-language message on standard error, the same as JSON on standard
/// output when `--json` was asked for, and a documented exit code.
enum Failure {
    /// Runs a command body, turning its errors into a message and an exit code.
    static func report(json: Bool, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch let error as ValidationError {
            throw error
        } catch {
            let (kind, code) = classify(error)
            let reported = error is NegativeResult || error is UntrustedResult
            if !reported { Output.message("mynacard: \(error)") }
            if json && !reported {
                try? Output.json(ErrorReport(error: .init(kind: kind, message: "\(error)", exitCode: code)))
            }
            throw ExitCode(code)
        }
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
        case is UntrustedResult: return ("untrusted-signature", 6)
        case let error as CardSessionError:
            switch error {
            case .wrongPIN: return ("pin-wrong", 2)
            case .pinBlocked: return ("pin-blocked", 2)
            case .lastTryRefused: return ("pin-last-try-refused", 2)
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
            case .serviceUnavailable: return ("pcsc-unavailable", 3)
            case .noReaders: return ("no-reader", 3)
            case .readerNotFound: return ("reader-not-found", 3)
            case .noCard, .timedOutWaitingForCard: return ("no-card", 3)
            case .cardRemoved: return ("card-removed", 4)
            case .cardInUse: return ("card-in-use", 3)
            case .accessDenied: return ("reader-access-denied", 3)
            case .cardUnresponsive, .protocolMismatch, .protocolViolation, .pcsc: return ("card-io-error", 4)
            }
        case is PINInputError: return ("pin-input", 5)
        case is InputError: return ("input-error", 5)
        case is CMSFormatError: return ("input-error", 5)
        case is APDUError: return ("card-data-malformed", 4)
        case is ImageError: return ("image-decode-failed", 4)
        default: return ("error", 4)
        }
    }
}
