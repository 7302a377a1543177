/// Why one delivery to one receiver failed: the receiver, what went wrong, and its code.
///
/// Prints as `RECEIVER: MESSAGE`. The message names the target without credentials (no URL user
/// information, no query) and, for a command, the start of what it wrote.
public struct DeliveryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// No answer within the receiver's timeout.
        case timeout
        /// The receiver answered with a status that is not success; `code` is the status.
        case httpStatus = "http_status"
        /// No connection: refused, reset, closed early, the name not found, TLS refused.
        case connection
        /// The command could not be started (missing, not executable); `code` is the errno when known.
        case commandStart = "command_start"
        /// The command exited with a status other than 0; `code` is the status.
        case commandExit = "command_exit"
        /// The command was ended by a signal, ours at the time limit or another; `code` is the signal.
        case commandKilled = "command_killed"
    }

    /// The receiver's name.
    public var receiver: String
    /// What went wrong (also the `outcome` of `stockpile_notifications_total`).
    public var kind: Kind
    /// The HTTP status, exit status or signal number, when the kind has one.
    public var code: Int?
    /// A sentence for the log and `stockpile status`.
    public var message: String

    /// An error from its parts.
    public init(receiver: String, kind: Kind, code: Int? = nil, message: String) {
        self.receiver = receiver
        self.kind = kind
        self.code = code
        self.message = message
    }

    /// `RECEIVER: MESSAGE`.
    public var description: String { "\(receiver): \(message)" }
}
