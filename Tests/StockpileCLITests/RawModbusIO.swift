import Foundation
import Glibc

/// Runs blocking work on a Foundation thread of its own and awaits it.
///
/// Sockets, the pty and child processes block; on the cooperative pool (two threads on CI) they
/// would starve every other test. Each call gets a fresh thread, which ends with the work.
enum OffPool {
    static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = name
            thread.start()
        }
    }
}

/// A failed socket or terminal call, with the errno captured right after it.
struct RawIOError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32
    var description: String { "\(operation): \(String(cString: strerror(code)))" }

    /// Captures errno now: call it right after the failing call.
    static func last(_ operation: String) -> RawIOError { RawIOError(operation: operation, code: errno) }
}

/// A blocking TCP connection to a loopback port, to send what no Modbus library would.
///
/// Only used inside `OffPool.run`. Not `Sendable`: one thread owns it and closes it on deinit.
final class LoopbackConnection {
    /// How a read that waited for the peer ended.
    enum Ending: Equatable {
        /// The peer closed the connection (FIN or RST).
        case closed
        /// Nothing more came within the receive timeout.
        case timedOut
    }

    private let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; every receive then waits at most `timeout`.
    init(port: Int, timeout: Duration = .seconds(2)) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw RawIOError.last("socket") }
        descriptor = socket
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        let (seconds, attoseconds) = timeout.components
        var wait = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = Self.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw RawIOError.last("connect to 127.0.0.1:\(port)") }
    }

    deinit {
        Glibc.close(descriptor)
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw RawIOError.last("send")
            }
            sent += count
        }
    }

    /// Says the client will send nothing more; the server reads end of stream after the bytes.
    func finishSending() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads until `count` bytes came, the peer closed, or the timeout passed.
    func receive(count: Int) throws -> (bytes: [UInt8], ending: Ending?) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(count, 1))
        while bytes.count < count {
            let got = recv(descriptor, &chunk, count - bytes.count, 0)
            if got > 0 {
                bytes += chunk[0..<got]
            } else if got == 0 {
                return (bytes, .closed)
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return (bytes, .timedOut) }
                if code == ECONNRESET { return (bytes, .closed) }
                throw RawIOError(operation: "recv", code: code)
            }
        }
        return (bytes, nil)
    }

    /// Reads until the peer closes or the timeout passes.
    func receiveToEnd(limit: Int = 1 << 20) throws -> (bytes: [UInt8], ending: Ending) {
        let (bytes, ending) = try receive(count: limit)
        return (bytes, ending ?? .timedOut)
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        return address
    }
}

/// A TCP port on 127.0.0.1 held open by a listening socket, to make a server's bind fail.
final class OccupiedPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw RawIOError.last("socket") }
        var address = LoopbackConnection.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socket, 1) == 0 else {
            let error = RawIOError.last("bind and listen")
            Glibc.close(socket)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else {
            let error = RawIOError.last("getsockname")
            Glibc.close(socket)
            throw error
        }
        descriptor = socket
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        Glibc.close(descriptor)
    }
}

/// The client side of the simulator's RTU pseudo-terminal, opened raw and non-blocking, to write
/// noise a serial master never would. Only used inside `OffPool.run`; closed on deinit.
final class RawSerialLine {
    private let descriptor: Int32

    init(path: String) throws {
        let opened = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard opened >= 0 else { throw RawIOError.last("open \(path)") }
        descriptor = opened
        var settings = termios()
        if tcgetattr(opened, &settings) == 0 {
            cfmakeraw(&settings)
            tcsetattr(opened, TCSANOW, &settings)
        }
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Writes every byte, waiting for room when the terminal's buffer is full.
    func write(_ bytes: [UInt8]) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count >= 0 {
                written += count
                continue
            }
            let code = errno
            guard code == EAGAIN || code == EINTR else { throw RawIOError(operation: "write", code: code) }
            // Room comes as the server reads; meanwhile take in what it answered, so neither side stalls.
            _ = readAvailable()
            var room = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            _ = poll(&room, 1, 100)
        }
    }

    /// Everything waiting to be read now, without waiting.
    func readAvailable() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(descriptor, &chunk, chunk.count)
            guard count > 0 else { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Reads until `count` bytes came or `timeout` passed.
    func read(count: Int, within timeout: Duration) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        while bytes.count < count, ContinuousClock.now < deadline {
            bytes += readAvailable()
            guard bytes.count < count else { break }
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&ready, 1, 5)
        }
        return bytes
    }

    /// Reads and drops what the server sends until the line has been quiet for `quiet`; returns
    /// how many bytes it dropped.
    @discardableResult
    func drain(quiet: Duration = .milliseconds(30)) -> Int {
        var dropped = 0
        var lastByte = ContinuousClock.now
        while ContinuousClock.now - lastByte < quiet {
            let bytes = readAvailable()
            if !bytes.isEmpty {
                dropped += bytes.count
                lastByte = .now
            }
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&ready, 1, 5)
        }
        tcflush(descriptor, TCIFLUSH)
        return dropped
    }
}

/// CRC-16/MODBUS (reflected 0xA001, initial 0xFFFF), low byte first on the wire: written here
/// again so the tests do not lean on the server's own.
func modbusCRC(_ bytes: [UInt8]) -> [UInt8] {
    var crc: UInt16 = 0xFFFF
    for byte in bytes {
        crc ^= UInt16(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
    }
    return [UInt8(crc & 0xFF), UInt8(crc >> 8)]
}
