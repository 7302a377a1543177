import Modbus
/// One request a server carried out, as `ModbusServer.trace` reports it: the bytes that came in,
/// the bytes that went out, and the decision between them.
///
/// Reported on the loop's thread once the answer was written (for a delayed answer, at the end of
/// its delay) or withheld, so `time` is when the bytes left; a hook that wants wall-clock time can
/// read the clock itself, the difference is microseconds.
public struct ModbusTraceEvent: Hashable, Sendable {
    /// Where a server listens.
    public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
        /// A Modbus TCP listener; `port` is the port bound (the ephemeral one when 0 was asked).
        case tcp(host: String, port: Int)
        /// A Modbus RTU line: the slave-side path of the pseudo-terminal clients open.
        case rtu(device: String)

        /// "127.0.0.1:5020", "[::1]:5020" or "/dev/pts/3".
        public var description: String {
            switch self {
            case .tcp(let host, let port): "\(ModbusTransport.tcp(host: host, port: port))"
            case .rtu(let device): device
            }
        }
    }

    /// The listener or line the request came in on.
    public var endpoint: Endpoint
    /// The TCP connection, numbered from 1 in the order the listener accepted them; nil on RTU,
    /// where there is only the line.
    public var client: Int?
    /// The unit id the request was addressed to.
    public var unit: UInt8
    /// The request as received: MBAP header and PDU on TCP; unit, PDU and CRC on RTU.
    public var request: [UInt8]
    /// The bytes actually written, faults included; nil when nothing was (silence, a dropped
    /// connection, or a connection that was gone before its delayed answer was due).
    public var answer: [UInt8]?
    /// What was carried out, as `ModbusServerBehavior.didServe` receives it.
    public var decision: ModbusServerDecision
    /// When the answer was written or withheld.
    public var time: ContinuousClock.Instant

    /// Creates an event; servers create them, tests and tools may too.
    public init(
        endpoint: Endpoint, client: Int?, unit: UInt8, request: [UInt8], answer: [UInt8]?,
        decision: ModbusServerDecision, time: ContinuousClock.Instant
    ) {
        self.endpoint = endpoint
        self.client = client
        self.unit = unit
        self.request = request
        self.answer = answer
        self.decision = decision
        self.time = time
    }
}
