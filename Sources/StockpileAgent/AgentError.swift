/// The agent could not start: which step, on which path, the system's code, and a message for the
/// operator.
public struct AgentError: Error, Sendable, CustomStringConvertible {
    /// The step that failed.
    public enum Operation: String, Sendable {
        case createDataDirectory = "create the data directory"
        case lockDataDirectory = "claim the data directory"
        case openStore = "open the store"
    }

    public var operation: Operation
    /// The directory or file the step was about.
    public var path: String
    /// The errno, when the system refused.
    public var code: Int32?
    /// The pid of the agent that already holds the data directory.
    public var holder: Int?
    /// One line for the operator.
    public var message: String

    public init(_ operation: Operation, path: String, code: Int32? = nil, holder: Int? = nil, message: String) {
        self.operation = operation
        self.path = path
        self.code = code
        self.holder = holder
        self.message = message
    }

    public var description: String { message }
}
