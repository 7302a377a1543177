extension SiteConfiguration {
    /// One physical bus: everything reached through it shares its timing, so one scheduler serves it.
    public enum Bus: Hashable, Sendable, CustomStringConvertible {
        case tcp(TCPEndpoint)
        case rtu(RTULine)

        /// The name devices use in `bus:`.
        public var name: String {
            switch self {
            case .tcp(let endpoint): endpoint.name
            case .rtu(let line): line.name
            }
        }

        /// Requests that may be in flight at once: 1 on an RTU line, the endpoint's `connections` on TCP.
        public var concurrency: Int {
            switch self {
            case .tcp(let endpoint): endpoint.connections
            case .rtu: 1
            }
        }

        /// The line in the site file, for messages.
        public var line: Int? {
            switch self {
            case .tcp(let endpoint): endpoint.line
            case .rtu(let line): line.line
            }
        }

        /// `tcp 127.0.0.1:1502` or `rtu /dev/ttyUSB0 9600 8E1`.
        public var description: String {
            switch self {
            case .tcp(let endpoint): "tcp \(endpoint.address)"
            case .rtu(let line):
                "rtu \(line.device) \(line.baud) \(line.dataBits)\(line.parity.rawValue)\(line.stopBits)"
            }
        }
    }
}
