import Foundation
import Glibc

/// Checks that an HTTP option's address can be listened on before anything starts, so a port in
/// use is one line naming the option and the address, and nothing is polled or served.
///
/// The server binds again itself a moment later; a port taken in between still fails there.
enum ListenAddress {
    /// Exits 1 (`CommandFailure`) when `host:port` cannot be bound; port 0 (any free one) always can.
    static func ensureAvailable(option: String, host: String, port: Int) throws {
        guard port != 0 else { return }
        let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw CommandFailure.exit(
                "\(option) \(shown): cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return }  // Let the server report what it finds.
        defer { close(descriptor) }
        // As the server will (SO_REUSEADDR): a port in TIME_WAIT is free, one with a listener is not.
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
            let code = errno
            let reason = code == EADDRINUSE ? "the port is already in use" : String(cString: strerror(code))
            throw CommandFailure.exit("\(option) \(shown): cannot listen: \(reason)")
        }
    }
}

/// Resolves a TCP host name before a probe connects, so a name that does not resolve says so
/// instead of reaching libmodbus, which reports it as a refused connection.
enum HostLookup {
    /// Nil when `host` resolves (or is a literal address); otherwise the resolver's reason.
    static func failure(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, nil, &hints, &list)
        if let list { freeaddrinfo(list) }
        return resolved == 0 ? nil : String(cString: gai_strerror(resolved))
    }
}
