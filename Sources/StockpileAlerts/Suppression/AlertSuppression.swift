public import Foundation

/// Which alerts are kept from receivers and the beacon at an instant, and why: silenced, or
/// inhibited by a bus alert.
///
/// Inhibition: while a bus alert (`bus_offline`, a no-data alert with a `bus` label and no
/// `device`) is pending or firing, the no-data alerts of that bus's devices are recorded but not
/// notified, so a silent gateway is one notification, not one per device. A pending bus alert
/// inhibits too: a device's `for` may be shorter than the bus's, and the storm must not slip out
/// in between.
///
/// Levels: while a threshold level fires, the lower-severity levels of the same rule on the same
/// subject are inhibited by it (warning at 60 is not repeated beside critical at 70), as an
/// Alertmanager `inhibit_rules` entry `severity=critical` → `severity=warning`, `equal: [alertname, …]` would.
public struct AlertSuppression: Hashable, Sendable {
    /// Why one alert is suppressed.
    public enum Reason: Hashable, Sendable {
        /// By these silences (ids).
        case silenced([String])
        /// By the bus alert with this id.
        case inhibited(by: Int)
    }

    /// Suppressed alerts by id.
    public var reasons: [Int: Reason]

    /// Judges every alert against the silences and the bus alerts at `now`.
    public init(alerts: [Alert], silences: [Silence], now: Date) {
        var reasons: [Int: Reason] = [:]
        var busAlerts: [String: Int] = [:]
        for alert in alerts where alert.isNoData && alert.state.isOpen && alert.labels["device"] == nil {
            if let bus = alert.labels["bus"] { busAlerts[bus] = alert.id }
        }
        var strongestLevel: [[String: String]: Alert] = [:]
        for alert in alerts where alert.state.isFiring && alert.labels["limit"] != nil {
            let subject = Self.subject(alert)
            if let other = strongestLevel[subject], other.severity >= alert.severity { continue }
            strongestLevel[subject] = alert
        }
        for alert in alerts {
            let matching = silences.filter { $0.silences(alert.labels, at: now) }.map(\.id)
            if !matching.isEmpty {
                reasons[alert.id] = .silenced(matching)
            } else if alert.isNoData, alert.labels["device"] != nil, let bus = alert.labels["bus"],
                let source = busAlerts[bus]
            {
                reasons[alert.id] = .inhibited(by: source)
            } else if alert.labels["limit"] != nil, let stronger = strongestLevel[Self.subject(alert)],
                stronger.severity > alert.severity
            {
                reasons[alert.id] = .inhibited(by: stronger.id)
            }
        }
        self.reasons = reasons
    }

    /// A threshold alert's labels without its level (`severity`, `limit`): the same rule on the same subject.
    private static func subject(_ alert: Alert) -> [String: String] {
        alert.labels.filter { $0.key != "severity" && $0.key != "limit" }
    }

    /// The ids of every suppressed alert.
    public var suppressed: Set<Int> { Set(reasons.keys) }

    /// Whether this alert is kept from receivers and the beacon.
    public func isSuppressed(_ alert: Alert) -> Bool { reasons[alert.id] != nil }
}
