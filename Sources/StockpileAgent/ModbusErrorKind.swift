import Modbus

/// The `kind` label of `stockpile_modbus_errors_total`: what a technician looks at first when a
/// device's requests fail, from the bridge's typed `ModbusError`.
///
/// - `timeout`: no (complete) answer in time: the device is off, unwired or on another unit id
/// - `exception_<code>`: the device (or a gateway for it) refused, with its Modbus exception 1–255
/// - `crc`: an answer that failed its CRC: noise, a wrong baud rate or parity, two masters
/// - `connection`: the connection or line failed: refused, reset, closed, unreachable, unopenable
/// - `other`: a malformed or mismatched answer, an invalid request, any other system error
///
/// A request cut short because the agent is stopping is not an error of the device and has no kind.
enum ModbusErrorKind: Hashable, Sendable {
    case timeout
    case exception(UInt8)
    case crc
    case connection
    case other

    /// The kind of `error`; nil for a request that was interrupted (never sent, or sent while stopping).
    init?(_ error: ModbusError) {
        switch error.cause {
        case .interrupted: return nil
        case .timeout: self = .timeout
        case .exception(let exception): self = .exception(exception.rawValue)
        case .badCRC: self = .crc
        case .connectionRefused, .connectionReset, .connectionClosed, .hostUnreachable, .cannotOpen, .lineInUse:
            self = .connection
        case .invalidResponse, .mismatchedResponse, .invalidRequest, .system: self = .other
        }
    }

    /// The label value: "timeout", "exception_2", "crc", "connection", "other".
    var label: String {
        switch self {
        case .timeout: "timeout"
        case .exception(let code): "exception_\(code)"
        case .crc: "crc"
        case .connection: "connection"
        case .other: "other"
        }
    }
}
