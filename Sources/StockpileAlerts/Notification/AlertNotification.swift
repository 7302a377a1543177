/// One message due to one receiver: a group's alerts as they stand, firing first.
public struct AlertNotification: Hashable, Sendable {
    /// Why it is sent now.
    public enum Reason: String, Hashable, Sendable {
        /// The group's first message, after `group_wait`.
        case first
        /// An alert joined the group or resolved, after `group_interval`.
        case change
        /// Nothing changed and unacknowledged alerts still fire, after `repeat_interval`.
        case reminder
        /// The last attempt failed; this is the retry after back-off.
        case retry
    }

    /// The receiver's name.
    public var receiver: String
    /// Identifies the group for deduplication: `{}:{zone="bay-b"}` (Alertmanager's form, route `{}`).
    public var groupKey: String
    /// The `group_by` labels' values.
    public var groupLabels: [String: String]
    /// Firing (and acknowledged) alerts, then resolved ones, each in id order.
    public var alerts: [Alert]
    /// Why it is due.
    public var reason: Reason
    /// 1 for a first attempt, 2 after one failure, …
    public var attempt: Int

    /// A notification.
    public init(
        receiver: String, groupKey: String, groupLabels: [String: String], alerts: [Alert], reason: Reason,
        attempt: Int = 1
    ) {
        self.receiver = receiver
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.alerts = alerts
        self.reason = reason
        self.attempt = attempt
    }

    /// `firing` while any alert in it fires, else `resolved` (Alertmanager's group status).
    public var isFiring: Bool { alerts.contains { $0.state.isFiring } }
}
