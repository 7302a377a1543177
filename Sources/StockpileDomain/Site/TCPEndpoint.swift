extension SiteConfiguration {
    /// A Modbus TCP device or gateway, at one host and port.
    public struct TCPEndpoint: Hashable, Sendable {
        public var name: String
        public var host: String
        public var port: Int
        /// Connections the endpoint accepts at once. Many RTU gateways take only one: with 1, every
        /// request to the endpoint is serialized, as on a serial line.
        public var connections: Int
        /// Silence kept after connecting, before the first request (some gateways drop early requests).
        public var pauseAfterConnect: Duration
        /// Silence kept between two requests on one connection.
        public var pauseBetweenRequests: Duration
        /// The line in the site file, for messages.
        public var line: Int?

        public init(
            name: String, host: String, port: Int = 502, connections: Int = 1, pauseAfterConnect: Duration = .zero,
            pauseBetweenRequests: Duration = .zero, line: Int? = nil
        ) {
            self.name = name
            self.host = host
            self.port = port
            self.connections = connections
            self.pauseAfterConnect = pauseAfterConnect
            self.pauseBetweenRequests = pauseBetweenRequests
            self.line = line
        }

        /// `host:port`, with brackets around an IPv6 host.
        public var address: String {
            host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
