import HTTPTypes
import Hummingbird

/// Lets through only requests meant for this server by a page of its own, and marks every response as not to be
/// stored or framed.
///
/// - The Host must be `127.0.0.1:PORT` or `localhost:PORT`: a name that merely resolves to 127.0.0.1 (DNS
///   rebinding) is refused.
/// - An Origin, when sent, must be this server's; a POST must carry one (browsers always do), and a browser's
///   `Sec-Fetch-Site` must be `same-origin` (or `none`, a typed address): a page from elsewhere in the browser
///   cannot read from or post to it.
struct LocalOnly: RouterMiddleware {
    typealias Context = BasicRequestContext
    let port: PortBox

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if let port = port.value, Self.isAllowed(request, port: port) {
            do {
                response = try await next(request, context)
            } catch let error as HTTPError {
                response = Response(status: error.status)
            } catch {
                response = Response(status: .internalServerError)
            }
        } else {
            response = Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "refused: not a request from this server's own page\n")))
        }
        response.headers[.cacheControl] = "no-store"
        response.headers[.pragma] = "no-cache"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.crossOriginResourcePolicy] = "same-origin"
        return response
    }

    static func isAllowed(_ request: Request, port: Int) -> Bool {
        let hosts = ["127.0.0.1:\(port)", "localhost:\(port)"]
        guard let host = request.head.authority, hosts.contains(host.lowercased()) else { return false }
        if let origin = request.headers[.origin] {
            guard hosts.map({ "http://" + $0 }).contains(origin.lowercased()) else { return false }
        } else if request.method != .get && request.method != .head {
            return false
        }
        if let site = request.headers[.secFetchSite], site != "same-origin" && site != "none" { return false }
        return true
    }
}

extension HTTPField.Name {
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let crossOriginResourcePolicy = Self("Cross-Origin-Resource-Policy")!
    static let pragma = Self("Pragma")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
