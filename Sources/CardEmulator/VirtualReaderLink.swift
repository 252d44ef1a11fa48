import APDU
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plugs an ``EmulatedCard`` into vsmartcard's virtual reader driver (`vpcd`, loaded by pcscd),
/// which listens on TCP and forwards the card's traffic.
///
/// vpcd's wire format (vsmartcard documentation, "Creating a virtual smart card"): every message is a
/// 2-byte big-endian length and a payload. A 1-byte payload is a control code — 0 power off,
/// 1 power on, 2 reset, 4 ask for the ATR (answered with the ATR) — anything longer is a command APDU,
/// answered with the response APDU.
public final class VirtualReaderLink {
    /// Why the link ended.
    public enum Ending: Equatable, Sendable {
        /// vpcd closed the connection (pcscd stopped).
        case readerClosed
        /// The emulator pulled the card after the configured number of commands.
        case cardPulled
    }

    private let card: EmulatedCard
    private let socket: Int32
    /// Called with each command and response, for tracing (never given PIN data: VERIFY data is elided).
    public var trace: ((String) -> Void)?

    /// Connects to vpcd at `host`:`port`, retrying until `timeout` seconds have passed.
    public init(card: EmulatedCard, host: String = "127.0.0.1", port: UInt16 = 35963, timeout: Double = 10) throws {
        self.card = card
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw LinkError.socket(errno) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if result == 0 {
                var yes: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
                socket = fd
                return
            }
            let error = errno
            close(fd)
            guard Date() < deadline else { throw LinkError.cannotConnect(host: host, port: port, errno: error) }
            usleep(100_000)
        }
    }

    deinit { close(socket) }

    /// Serves vpcd until it disconnects, or until `pullAfterCommands` APDUs have been answered,
    /// when the link closes as if the card had been pulled out.
    public func serve(pullAfterCommands: Int? = nil) throws -> Ending {
        var answered = 0
        while true {
            guard let header = try receive(count: 2) else { return .readerClosed }
            let length = Int(header[0]) << 8 | Int(header[1])
            guard let payload = try receive(count: length) else { return .readerClosed }
            if payload.count == 1 {
                switch payload[0] {
                case 0x00, 0x01, 0x02: card.reset()
                case 0x04: try send(card.atr)
                default: break
                }
                continue
            }
            if let limit = pullAfterCommands, answered >= limit {
                shutdown(socket, Int32(SHUT_RDWR))
                return .cardPulled
            }
            if card.isSilent { while try receive(count: 1) != nil {}; return .readerClosed }  // a hostile card that stopped answering
            let response = card.process(payload)
            trace?(describe(payload) + " -> " + response.hexString)
            try send(response)
            answered += 1
        }
    }

    private func describe(_ command: [UInt8]) -> String {
        if command.count > 1, command[1] == 0x20 || command[1] == 0x24 {
            return command.prefix(4).hexString + " [PIN data elided]"
        }
        return command.hexString
    }

    private func send(_ payload: [UInt8]) throws {
        let message = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        var offset = 0
        while offset < message.count {
            let written = message[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw LinkError.io(errno) }
            offset += written
        }
    }

    private func receive(count: Int) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            // vpcd writes the length and the payload separately; acknowledge at once so that Nagle's
            // algorithm on its side does not hold the payload back for a delayed ACK (~40 ms per APDU).
            var quickAck: Int32 = 1
            setsockopt(socket, Int32(IPPROTO_TCP), Int32(TCP_QUICKACK), &quickAck, socklen_t(MemoryLayout<Int32>.size))
            let got = buffer[offset...].withUnsafeMutableBytes { Glibc.recv(socket, $0.baseAddress, $0.count, 0) }
            if got == 0 { return nil }
            if got < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return nil }
                throw LinkError.io(errno)
            }
            offset += got
        }
        return buffer
    }

    /// A failure of the TCP link to vpcd.
    public enum LinkError: Error, CustomStringConvertible {
        case socket(Int32)
        case cannotConnect(host: String, port: UInt16, errno: Int32)
        case io(Int32)

        public var description: String {
            switch self {
            case .socket(let code): "cannot create a socket: \(String(cString: strerror(code)))"
            case .cannotConnect(let host, let port, let code):
                "cannot reach the virtual reader (vpcd) at \(host):\(port): \(String(cString: strerror(code))). "
                    + "Is pcscd running with vsmartcard-vpcd installed (`apt-get install pcscd vsmartcard-vpcd`)?"
            case .io(let code): "the link to the virtual reader failed: \(String(cString: strerror(code)))"
            }
        }
    }
}
