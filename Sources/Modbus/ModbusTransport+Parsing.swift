import Glibc

extension ModbusTransport {
    /// Parses `HOST`, `HOST:PORT`, `[IPv6]:PORT` or a bare IPv6 literal; nil when malformed.
    public static func tcp(parsing text: String, defaultPort: Int = 502) -> ModbusTransport? {
        var host = text
        var port = defaultPort
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let parsed = Int(rest.dropFirst()) else { return nil }
                port = parsed
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let parsed = Int(text[text.index(after: colon)...]) else { return nil }
            port = parsed
        } else if text.contains(":") {
            // Bare colons are an IPv6 literal only when they parse as one: `127.0.0.1:15020:1` is a
            // mistake, not a host name for the resolver to fail on later.
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        return .tcp(host: host, port: port)
    }
}
