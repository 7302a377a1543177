public import Foundation

/// One occurrence of an alert: from the condition's first holding to its resolution, with every
/// transition on the way. A condition that returns after resolving is a new occurrence (a new
/// `id`) with the same fingerprint.
public struct Alert: Hashable, Sendable, Codable, Identifiable {
    /// Who took the alert on, when, and why.
    public struct Acknowledgement: Hashable, Sendable, Codable {
        /// Who acknowledged it.
        public var by: String
        /// When.
        public var at: Date
        /// What they said (may be empty).
        public var comment: String

        /// An acknowledgement.
        public init(by: String, at: Date, comment: String) {
            self.by = by
            self.at = at
            self.comment = comment
        }
    }

    /// Unique within the tracker (and the store), increasing.
    public var id: Int
    /// `AlertLabels.fingerprint(labels)`: the same for every occurrence.
    public var fingerprint: String
    /// The rule's name (the `alertname` label).
    public var rule: String
    /// True for the no-data kinds, which a bus alert may inhibit.
    public var isNoData: Bool
    /// Its identity labels.
    public var labels: [String: String]
    /// Its severity (also its `severity` label).
    public var severity: AlertSeverity
    /// The rule's timing when the alert began.
    public var timing: AlertTiming
    /// Where it is in its life.
    public var state: AlertState
    /// When the condition began to hold (the start of `pending`).
    public var activeSince: Date
    /// When it fired; nil while pending (Alertmanager's `startsAt`).
    public var startsAt: Date?
    /// When it resolved (or, pending, cleared); nil while open.
    public var endsAt: Date?
    /// The last evaluation at which the condition held (or stood in its hysteresis band).
    public var lastActiveAt: Date
    /// The value when it fired.
    public var triggeringValue: Double?
    /// The most extreme value seen while open: the highest for an upper limit, the lowest for a lower one,
    /// the largest magnitude otherwise.
    public var peakValue: Double?
    /// The latest value seen.
    public var lastValue: Double?
    /// The latest sentence for people.
    public var summary: String
    /// Who took it on, if anyone.
    public var acknowledgement: Acknowledgement?
    /// Every transition, oldest first.
    public var history: [AlertTransition]

    /// An alert; normally made by `AlertTracker`.
    public init(
        id: Int, fingerprint: String, rule: String, isNoData: Bool = false, labels: [String: String],
        severity: AlertSeverity, timing: AlertTiming = AlertTiming(), state: AlertState, activeSince: Date,
        startsAt: Date? = nil, endsAt: Date? = nil, lastActiveAt: Date, triggeringValue: Double? = nil,
        peakValue: Double? = nil, lastValue: Double? = nil, summary: String = "",
        acknowledgement: Acknowledgement? = nil,
        history: [AlertTransition] = []
    ) {
        self.id = id
        self.fingerprint = fingerprint
        self.rule = rule
        self.isNoData = isNoData
        self.labels = labels
        self.severity = severity
        self.timing = timing
        self.state = state
        self.activeSince = activeSince
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.lastActiveAt = lastActiveAt
        self.triggeringValue = triggeringValue
        self.peakValue = peakValue
        self.lastValue = lastValue
        self.summary = summary
        self.acknowledgement = acknowledgement
        self.history = history
    }
}
