import APDU
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import _CryptoExtras

/// The counter page: a web server on 127.0.0.1 only, for a browser on the same computer. The page follows the
/// readers live (server-sent events), shows what the card holds without a PIN, and with PIN-B or PIN-A the
/// photo, the name and address images, the card face's data and chip verdicts and one green/red summary.
///
/// Nothing read from a card is written to disk or logged; every response says `Cache-Control: no-store`; a PIN
/// comes only in a POST from the page and is wiped after use; a request whose Host or Origin is not this server's
/// own is refused, so a web page elsewhere in the browser cannot drive it.
public enum CounterServer {
    /// How to run the server.
    public struct Configuration: Sendable {
        /// The TCP port on 127.0.0.1; 0 picks a free one.
        public var port: Int
        /// The page's language.
        public var language: PageLanguage
        /// The root key that certifies the card face's data-signing key; `nil`: the built-in J-LIS root.
        public var faceRoot: _RSA.Signing.PublicKey?
        /// The reader to follow (name, index or part of the name); `nil`: the first reader holding a card.
        public var reader: String?

        public init(port: Int, language: PageLanguage, faceRoot: _RSA.Signing.PublicKey?, reader: String?) {
            self.port = port
            self.language = language
            self.faceRoot = faceRoot
            self.reader = reader
        }
    }

    /// Runs the server until SIGINT or SIGTERM, calling `listening` with the port once it accepts connections.
    /// - Throws: when the port cannot be bound.
    public static func run(_ configuration: Configuration, listening: @escaping @Sendable (Int) -> Void) async throws {
        let desk = CounterDesk(worker: CardWorker(faceRoot: configuration.faceRoot), reader: configuration.reader)
        let port = PortBox()
        let page = Page(language: configuration.language)
        let router = Router()
        router.add(middleware: LocalOnly(port: port))
        router.get("/") { _, _ in page.index }
        router.get("/counter.css") { _, _ in Page.asset(PackageResources.counter_css, type: "text/css; charset=utf-8") }
        router.get("/counter.js") { _, _ in Page.asset(PackageResources.counter_js, type: "text/javascript; charset=utf-8") }
        router.get("/events") { _, _ in
            let frames = await desk.subscribe()
            return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8"], body: ResponseBody { writer in
                // A page keeps this stream open: end it when the server stops, or the stop would wait for it.
                for await frame in frames.cancelOnGracefulShutdown() { try await writer.write(ByteBuffer(string: frame)) }
                try await writer.finish(nil)
            })
        }
        router.post("/unlock") { request, _ in try await unlock(request, desk: desk) }
        let quiet = Logger(label: "mynacard.counter") { _ in SwiftLogNoOpLogHandler() }
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: nil),
            services: [ReaderWatcher(desk: desk)],
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? configuration.port
                port.set(bound)
                listening(bound)
            },
            logger: quiet
        )
        try await application.runService()
    }

    /// `POST /unlock`: the form (at most 1 KiB) becomes a PIN, the body is wiped, and the desk opens the card face.
    private static func unlock(_ request: Request, desk: CounterDesk) async throws -> Response {
        guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else {
            return Page.json(status: .unsupportedMediaType, ["ok": false, "error": "form expected"])
        }
        var body: [UInt8] = []
        defer { wipe(&body) }
        for try await var chunk in request.body {
            guard body.count + chunk.readableBytes <= 1024 else { return Page.json(status: .contentTooLarge, ["ok": false, "error": "too large"]) }
            body += chunk.readableBytesView
            chunk.withUnsafeMutableReadableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        }
        let form: UnlockForm
        do { form = try UnlockForm(body: body) } catch {
            await desk.invalidForm(error.reason)
            return Page.json(status: .badRequest, ["ok": false, "error": "invalid", "detail": error.reason])
        }
        switch await desk.unlock(kind: form.kind, pin: PINHandOver(pin: form.pin)) {
        case .unlocked: return Page.json(status: .ok, ["ok": true])
        case .refused(let notice): return Page.json(status: .ok, ["ok": false, "error": notice.kind])
        case .notNow(let notice): return Page.json(status: .conflict, ["ok": false, "error": notice.kind])
        }
    }
}

/// The port the server is bound to, known once it listens (before that, every request is refused).
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?

    var value: Int? { lock.withLock { port } }
    func set(_ port: Int) { lock.withLock { self.port = port } }
}

/// The page's language: its labels, and the `lang` of its HTML.
public enum PageLanguage: String, Sendable, CaseIterable {
    case ja
    case en

    /// Japanese when the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set) is Japanese, else English.
    public static func fromLocale(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> PageLanguage {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        return locale.lowercased().hasPrefix("ja") ? .ja : .en
    }

    var labels: [UInt8] {
        switch self {
        case .ja: PackageResources.labels_ja_json
        case .en: PackageResources.labels_en_json
        }
    }
}

/// The page's files, compiled into the binary from `Sources/CounterServer/Page/`.
struct Page: Sendable {
    /// `index.html` with its language and labels filled in.
    let index: Response

    init(language: PageLanguage) {
        let template = String(decoding: PackageResources.index_html, as: UTF8.self)
        let html = template.replacingOccurrences(of: "{{lang}}", with: language.rawValue)
            .replacingOccurrences(of: "{{labels}}", with: String(decoding: language.labels, as: UTF8.self))
        index = Self.asset(Array(html.utf8), type: "text/html; charset=utf-8")
    }

    static func asset(_ bytes: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(status: HTTPResponse.Status, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
