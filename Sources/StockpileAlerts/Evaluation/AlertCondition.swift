public import Foundation

/// What one rule finds for one subject (a device, a point, a bus, a location) at one instant.
///
/// The tracker turns a sequence of these into alerts; the evaluator emits one for every subject a
/// rule watches, holding or not, so that the tracker can tell "cleared" from "unknown".
public struct AlertCondition: Hashable, Sendable {
    /// Where the subject stands.
    public enum Status: String, Hashable, Sendable, Codable {
        /// The condition holds.
        case active
        /// In a threshold's hysteresis band: an alert already up stays up, none starts.
        case band
        /// The condition does not hold: an alert may resolve (after `keep_firing_for`).
        case inactive
        /// No usable data (offline, stale, bad, missing): nothing changes, nothing resolves.
        case unknown
    }

    /// The rule's name (`alertname`).
    public var rule: String
    /// True for the no-data kinds, which a bus alert may inhibit.
    public var isNoData: Bool
    /// The alert's identity: `alertname`, `severity`, `site`, and the subject's labels.
    public var labels: [String: String]
    /// `AlertLabels.fingerprint(labels)`.
    public var fingerprint: String
    /// The rule's (or level's) severity.
    public var severity: AlertSeverity
    /// The rule's `for`, `keep_firing_for` and `min_firing`.
    public var timing: AlertTiming
    /// Where the subject stands now.
    public var status: Status
    /// Since when the condition has held, when the data says so (a device's offline-since, a door's
    /// open-since); nil: from the first evaluation that finds it.
    public var activeSince: Date?
    /// The value judged (a reading, a rate per hour, kilograms); nil when there is none.
    public var value: Double?
    /// A sentence for people.
    public var summary: String

    /// A condition; the fingerprint is computed from the labels unless given (it must be theirs).
    public init(
        rule: String, isNoData: Bool = false, labels: [String: String], fingerprint: String? = nil,
        severity: AlertSeverity, timing: AlertTiming = AlertTiming(), status: Status, activeSince: Date? = nil,
        value: Double? = nil, summary: String = ""
    ) {
        self.rule = rule
        self.isNoData = isNoData
        self.labels = labels
        self.fingerprint = fingerprint ?? AlertLabels.fingerprint(labels)
        self.severity = severity
        self.timing = timing
        self.status = status
        self.activeSince = activeSince
        self.value = value
        self.summary = summary
    }
}
