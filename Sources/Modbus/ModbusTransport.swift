/// Where a Modbus client talks to: a TCP endpoint or a serial line.
public enum ModbusTransport: Hashable, Sendable, CustomStringConvertible {
    /// Modbus TCP. `host` may be an IPv4 or IPv6 literal or a name.
    case tcp(host: String, port: Int)
    /// Modbus RTU over a serial line (RS-232/RS-485 or a pseudo-terminal).
    case rtu(SerialLine)

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .rtu(let line): line.description
        }
    }
}

/// A serial line's settings.
public struct SerialLine: Hashable, Sendable, CustomStringConvertible {
    /// The parity bit, as RS-485 devices are configured.
    public enum Parity: String, Hashable, Sendable, CaseIterable {
        case none = "N"
        case even = "E"
        case odd = "O"
    }

    public var device: String
    public var baud: Int
    public var parity: Parity
    public var dataBits: Int
    public var stopBits: Int
    /// Switch the UART to RS-485 mode (`TIOCSRS485`); only on hardware that supports it.
    public var rs485: Bool
    /// The minimum silence kept between the end of one transaction and the next request. Some
    /// slaves need more than the 3.5 characters the standard asks for.
    public var interFrameDelay: Duration

    public init(
        device: String, baud: Int = 9600, parity: Parity = .even, dataBits: Int = 8, stopBits: Int = 1,
        rs485: Bool = false, interFrameDelay: Duration = .zero
    ) {
        self.device = device
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
        self.rs485 = rs485
        self.interFrameDelay = interFrameDelay
    }

    public var description: String { "\(device) \(baud) \(dataBits)\(parity.rawValue)\(stopBits)" }
}
