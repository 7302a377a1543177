public import Modbus

/// The simulator could not start serving: which step, for which transport, where in the scenario
/// (or which option), the Modbus error behind it, and one line for the technician.
public struct SimulatorError: Error, Sendable, CustomStringConvertible {
    /// The step that failed.
    public enum Operation: String, Sendable {
        case listen = "listen on a TCP port"
        case openLine = "serve an RTU line"
        case makeLink = "make the RTU link"
    }

    public var operation: Operation
    /// The scenario's transport name.
    public var transport: String
    /// `FILE:LINE` in the scenario, or the option (`--rtu-link`).
    public var place: String
    /// The server's error, when there is one.
    public var cause: ModbusError?
    public var message: String

    public init(
        _ operation: Operation, transport: String, place: String, cause: ModbusError? = nil, message: String
    ) {
        self.operation = operation
        self.transport = transport
        self.place = place
        self.cause = cause
        self.message = message
    }

    public var description: String { message }
}
