/// A receiver's grouping and pacing, after Alertmanager's route fields of the same names
/// [src: prometheus/alertmanager docs/configuration.md, `route`], and its retry back-off.
public struct NotificationPolicy: Hashable, Sendable, Codable {
    /// Label names whose values make a group; `["..."]` puts every alert in a group of its own; empty:
    /// one group for the receiver.
    public var groupBy: [String]
    /// How long a new group waits before its first notification (Alertmanager's default 30 s).
    public var groupWait: Duration
    /// How long after a notification a change in the group is sent (default 5 m).
    public var groupInterval: Duration
    /// How long after a notification an unchanged group with unacknowledged firing alerts is sent again (default 4 h).
    public var repeatInterval: Duration
    /// The severities the receiver gets.
    public var severities: Set<AlertSeverity>
    /// Whether a resolution is sent (once) for alerts that were sent firing.
    public var sendResolved: Bool
    /// Whether repeats go on for an acknowledged alert: off for people, on for an Alertmanager, which
    /// resolves an alert that stops coming.
    public var repeatAcknowledged: Bool
    /// The first wait after a failed send; each failure doubles it.
    public var retryInitial: Duration
    /// The longest wait between two attempts.
    public var retryMaximum: Duration

    /// The label value of `groupBy` that groups nothing.
    public static let everyLabel = "..."

    /// A policy; the defaults are Alertmanager's route defaults and a 1 s to 5 m back-off.
    public init(
        groupBy: [String] = [], groupWait: Duration = .seconds(30), groupInterval: Duration = .seconds(300),
        repeatInterval: Duration = .seconds(4 * 3600), severities: Set<AlertSeverity> = Set(AlertSeverity.allCases),
        sendResolved: Bool = true, repeatAcknowledged: Bool = false, retryInitial: Duration = .seconds(1),
        retryMaximum: Duration = .seconds(300)
    ) {
        self.groupBy = groupBy
        self.groupWait = groupWait
        self.groupInterval = groupInterval
        self.repeatInterval = repeatInterval
        self.severities = severities
        self.sendResolved = sendResolved
        self.repeatAcknowledged = repeatAcknowledged
        self.retryInitial = retryInitial
        self.retryMaximum = retryMaximum
    }

    /// The wait before attempt `failures + 1` after `failures` failures in a row: initial × 2^(failures−1), capped.
    public func retryDelay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        var delay = retryInitial
        for _ in 1..<min(failures, 62) {
            delay *= 2
            if delay >= retryMaximum { return retryMaximum }
        }
        return min(delay, retryMaximum)
    }
}
