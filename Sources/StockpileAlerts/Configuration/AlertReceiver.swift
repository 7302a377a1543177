/// Where notifications go, and how they are grouped, paced and retried.
///
/// The `log` receiver is always there and takes every transition, one line each; the others are
/// declared under `alerts.receivers`.
public struct AlertReceiver: Hashable, Sendable {
    /// How the notification travels.
    public enum Kind: Hashable, Sendable {
        /// One line per transition in the agent's log.
        case log
        /// Alertmanager's webhook body (`version: "4"`) POSTed to a URL.
        case webhook(url: String)
        /// The alerts POSTed to an Alertmanager's `/api/v2/alerts` (base URL given), re-sent while active.
        case alertmanager(baseURL: String)
        /// A program run with the webhook body on standard input, killed after `timeout`.
        case command(path: String, arguments: [String], timeout: Duration)

        /// The kind's name as the site file writes it.
        public var name: String {
            switch self {
            case .log: "log"
            case .webhook: "webhook"
            case .alertmanager: "alertmanager"
            case .command: "command"
            }
        }
    }

    /// The receiver's name, unique in the site (`log` is the built-in one).
    public var name: String
    /// How notifications travel.
    public var kind: Kind
    /// Grouping, pacing and retries.
    public var policy: NotificationPolicy
    /// How long one send may take (webhook and Alertmanager requests; the command's own limit is in its kind).
    public var timeout: Duration
    /// The site file line, for messages.
    public var line: Int?

    /// A receiver from its parts.
    public init(
        name: String, kind: Kind, policy: NotificationPolicy, timeout: Duration = .seconds(10), line: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.policy = policy
        self.timeout = timeout
        self.line = line
    }
}
