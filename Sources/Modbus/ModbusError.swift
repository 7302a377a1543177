/// A failed Modbus operation: what was asked, of whom, and why it failed.
///
/// Keeps the operation, the unit, the address range, the cause and the raw code (an errno or a
/// libmodbus error number) so callers can both match on the cause and print one clear line.
public struct ModbusError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why an operation failed, in the categories a poller acts on.
    public enum Cause: Hashable, Sendable {
        /// No (complete) response within the response or byte timeout.
        case timeout
        case connectionRefused
        case connectionReset
        /// The connection is closed, or was never opened, or is waiting out a reconnect back-off.
        case connectionClosed
        case hostUnreachable
        /// The slave answered with a Modbus exception.
        case exception(ModbusException)
        case badCRC
        /// The response was malformed: wrong length, unknown exception code, bad data.
        case invalidResponse
        /// The response did not match the request: other unit, other transaction, other count.
        case mismatchedResponse
        /// The request itself was not valid (count out of range, bad device path …).
        case invalidRequest
        /// A serial line that cannot be opened: missing, not a serial device, no permission, or
        /// a mode it does not support.
        case cannotOpen
        /// Another process holds the serial line: one line takes one master.
        case lineInUse
        /// Not sent: the client was interrupted (shutting down).
        case interrupted
        /// Any other operating-system error.
        case system
    }

    public var cause: Cause
    public var function: ModbusFunction
    /// The unit id (slave id) the request was for; nil for connection-level failures.
    public var unit: UInt8?
    /// The first wire address (0-based) and how many registers or bits were asked for.
    public var address: Int?
    public var count: Int?
    /// The errno or libmodbus error number as captured right after the failing call.
    public var code: Int32
    /// A human message (libmodbus's `modbus_strerror`, or ours).
    public var message: String

    public init(
        cause: Cause, function: ModbusFunction, unit: UInt8? = nil, address: Int? = nil, count: Int? = nil,
        code: Int32 = 0, message: String
    ) {
        self.cause = cause
        self.function = function
        self.unit = unit
        self.address = address
        self.count = count
        self.code = code
        self.message = message
    }

    /// True when the connection must be closed and opened again before the next request.
    public var breaksConnection: Bool {
        switch cause {
        case .connectionReset, .connectionClosed, .connectionRefused, .hostUnreachable, .cannotOpen, .lineInUse: true
        default: false
        }
    }

    /// The 0-based wire range, as "99–101" (or "99" for one register).
    public var rangeText: String? {
        guard let address else { return nil }
        let last = address + max((count ?? 1) - 1, 0)
        return last == address ? "\(address)" : "\(address)–\(last)"
    }

    /// What went wrong, without where: "illegal data address (exception 2)", "timeout".
    public var causeDescription: String {
        switch cause {
        case .exception(let exception): exception.description
        case .timeout: "timeout"
        case .connectionRefused: "connection refused"
        case .connectionReset: "connection reset"
        case .connectionClosed: "connection closed"
        case .hostUnreachable: "host unreachable"
        case .badCRC: "bad CRC"
        case .invalidResponse: "invalid response"
        case .mismatchedResponse: "response does not match the request"
        case .invalidRequest: "invalid request"
        case .cannotOpen: "cannot open"
        case .lineInUse: "line in use"
        case .interrupted: "interrupted"
        case .system: "system error"
        }
    }

    /// One line: "illegal data address (exception 2) reading holding 99–101 (unit 1)".
    public var description: String {
        var text = "\(causeDescription) \(function)"
        if let rangeText { text += " \(rangeText)" }
        if let unit { text += " (unit \(unit))" }
        // libmodbus's message often restates the cause ("Illegal data address"): add it only when it says more.
        let causeName = causeDescription.split(separator: " ").prefix(2).joined(separator: " ")
        if !message.isEmpty, !message.lowercased().hasPrefix(causeName.lowercased()) { text += ": \(message)" }
        return text
    }
}
