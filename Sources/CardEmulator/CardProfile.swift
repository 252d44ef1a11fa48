import APDU
import Foundation

/// The contents of an emulated card, as described by a profile directory in `fixtures/profiles/`:
/// a `profile.json` naming the applets, their elementary files and PINs, and the files holding their bytes.
public struct CardProfile: Sendable {
    /// The profile's short name (e.g. "healthy").
    public var name: String
    /// What the profile is for.
    public var summary: String
    /// The answer to reset the card presents.
    public var atr: [UInt8]
    /// The applets, in the order the profile lists them.
    public var applets: [Applet]
    /// How the card (and the reader it sits in) behaves where public sources disagree or are silent.
    public var settings: CardSettings = CardSettings()
    /// How the card misbehaves, for hostile-card tests (HostileBehaviour.swift); `nil` for a card that behaves.
    public var hostile: HostileBehaviour? = nil

    /// One applet: its AID and its elementary files.
    public struct Applet: Sendable {
        /// The applet's name in the profile (e.g. "JPKI").
        public var name: String
        /// The AID it is selected by.
        public var aid: AID
        /// Its elementary files by identifier.
        public var files: [FileID: File]
    }

    /// An elementary file and who may use it.
    public struct File: Sendable {
        /// The file identifier.
        public var id: FileID
        /// What the file holds.
        public var content: Content
        /// PIN files any one of which, once verified, allows reading (binary) or signing (key). Empty: free.
        public var requiredPINs: [FileID]
    }

    /// What an elementary file holds.
    public enum Content: Sendable {
        /// Transparent data, read with READ BINARY.
        case binary([UInt8])
        /// A PIN with its retry counter.
        case pin(value: [UInt8], maximumTries: Int, triesLeft: Int)
        /// A PIN without a retry counter: the retry query answers `63 00`, and a wrong PIN costs nothing.
        case unlimitedPIN(value: [UInt8])
        /// A PIN file whose PIN was never set (a card issued without PINs): every VERIFY gets
        /// ``CardSettings/unsetPINAnswer``.
        case unsetPIN
        /// An RSA private key used by COMPUTE DIGITAL SIGNATURE (PKCS#1 `RSAPrivateKey` DER).
        case rsaKey(der: [UInt8])
    }

    /// Loads the profile in `directory` (the folder holding `profile.json`).
    /// - Throws: ``ProfileError`` naming the file or entry that is wrong.
    public static func load(from directory: URL) throws -> CardProfile {
        let manifestURL = directory.appendingPathComponent("profile.json")
        let manifestData: Data
        do { manifestData = try Data(contentsOf: manifestURL) } catch {
            throw ProfileError.unreadable(manifestURL.path, reason: "\(error.localizedDescription)")
        }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: manifestData) } catch {
            throw ProfileError.invalid(manifestURL.path, reason: "\(error)")
        }
        guard let atr = [UInt8](hex: manifest.atr), !atr.isEmpty else {
            throw ProfileError.invalid(manifestURL.path, reason: "atr \"\(manifest.atr)\" is not hex")
        }
        var applets: [Applet] = []
        for applet in manifest.applets {
            guard let aid = AID(hex: applet.aid) else {
                throw ProfileError.invalid(manifestURL.path, reason: "applet \(applet.name): aid \"\(applet.aid)\" is not 1 to 16 hex bytes")
            }
            var files: [FileID: File] = [:]
            for entry in applet.files {
                let file = try entry.resolve(in: directory, applet: applet.name, manifest: manifestURL.path)
                files[file.id] = file
            }
            applets.append(Applet(name: applet.name, aid: aid, files: files))
        }
        var profile = CardProfile(name: manifest.name, summary: manifest.description ?? "", atr: atr, applets: applets, hostile: manifest.hostile)
        if let settings = manifest.settings {
            do { profile.settings = try CardSettings(settings) } catch let error as CardSettings.Invalid {
                throw ProfileError.invalid(manifestURL.path, reason: "settings: \(error.reason)")
            }
        }
        return profile
    }
}

/// A profile that cannot be loaded.
public enum ProfileError: Error, CustomStringConvertible {
    case unreadable(String, reason: String)
    case invalid(String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read card profile file \(path): \(reason)"
        case .invalid(let path, let reason): "card profile \(path) is invalid: \(reason)"
        }
    }
}

/// `profile.json` as written by `fixtures/make-profiles.py`.
private struct Manifest: Decodable {
    var name: String
    var description: String?
    var atr: String
    var applets: [AppletEntry]
    var settings: [String: JSONValue]?
    var hostile: HostileBehaviour?

    struct AppletEntry: Decodable {
        var name: String
        var aid: String
        var files: [FileEntry]
    }

    struct FileEntry: Decodable {
        var fid: String
        var kind: String
        var content: String?
        var read: [String]?
        var use: [String]?
        var pin: PINEntry?

        func resolve(in directory: URL, applet: String, manifest: String) throws -> CardProfile.File {
            let place = "applet \(applet), EF \(fid)"
            guard let id = FileID(hex: fid) else { throw ProfileError.invalid(manifest, reason: "\(place): fid is not 4 hex digits") }
            let required = try (read ?? use ?? []).map { text in
                guard let pinID = FileID(hex: text) else { throw ProfileError.invalid(manifest, reason: "\(place): PIN reference \"\(text)\" is not 4 hex digits") }
                return pinID
            }
            switch kind {
            case "binary", "rsa-key":
                guard let content else { throw ProfileError.invalid(manifest, reason: "\(place): \(kind) needs a content file") }
                let url = directory.appendingPathComponent(content)
                guard let bytes = try? Data(contentsOf: url) else { throw ProfileError.unreadable(url.path, reason: "missing or unreadable (\(place))") }
                return CardProfile.File(id: id, content: kind == "binary" ? .binary([UInt8](bytes)) : .rsaKey(der: [UInt8](bytes)), requiredPINs: required)
            case "pin":
                guard let pin else { throw ProfileError.invalid(manifest, reason: "\(place): a pin file needs a pin object") }
                if pin.notSet == true { return CardProfile.File(id: id, content: .unsetPIN, requiredPINs: []) }
                guard let value = pin.value else { throw ProfileError.invalid(manifest, reason: "\(place): a pin needs a value (or \"notSet\": true)") }
                if pin.unlimited == true { return CardProfile.File(id: id, content: .unlimitedPIN(value: Array(value.utf8)), requiredPINs: []) }
                guard let maxTries = pin.maxTries, let triesLeft = pin.triesLeft else {
                    throw ProfileError.invalid(manifest, reason: "\(place): a pin needs maxTries and triesLeft (or \"unlimited\": true)")
                }
                guard (1...15).contains(maxTries), (0...maxTries).contains(triesLeft) else {
                    throw ProfileError.invalid(manifest, reason: "\(place): triesLeft must be 0...maxTries and maxTries 1...15")
                }
                return CardProfile.File(id: id, content: .pin(value: Array(value.utf8), maximumTries: maxTries, triesLeft: triesLeft), requiredPINs: [])
            default:
                throw ProfileError.invalid(manifest, reason: "\(place): unknown kind \"\(kind)\" (binary, pin or rsa-key)")
            }
        }
    }

    struct PINEntry: Decodable {
        var value: String?
        var maxTries: Int?
        var triesLeft: Int?
        var unlimited: Bool?
        var notSet: Bool?
    }
}
