public import Foundation

/// The body Alertmanager's webhook receiver POSTs (`version: "4"`), so a receiver written for
/// Alertmanager takes Stockpile's unchanged; the command receiver gets it on standard input.
///
/// Fields as Alertmanager's `notify/webhook` `Message` (`template.Data` with `version`, `groupKey`,
/// `truncatedAlerts`) [src: prometheus/alertmanager docs/configuration.md `webhook_config`]. A firing
/// alert's `endsAt` is Go's zero time, as Alertmanager sends it (its `types.Alerts` hides an end
/// not yet reached).
public struct AlertmanagerWebhookBody: Hashable, Sendable, Codable {
    /// One alert in the body.
    public struct Alert: Hashable, Sendable, Codable {
        /// `firing` or `resolved`.
        public var status: String
        /// The alert's labels.
        public var labels: [String: String]
        /// The alert's annotations (`summary`, values, acknowledgement).
        public var annotations: [String: String]
        /// RFC 3339, UTC.
        public var startsAt: String
        /// RFC 3339, UTC; `0001-01-01T00:00:00Z` while firing.
        public var endsAt: String
        /// A link to the alert in the agent's dashboard (empty without `external_url`).
        public var generatorURL: String
        /// The alert's fingerprint, as Alertmanager computes it.
        public var fingerprint: String
    }

    /// Always `4`.
    public var version: String
    /// The group's key, for deduplication.
    public var groupKey: String
    /// Alerts left out by a size limit: always 0 (Stockpile sends the whole group).
    public var truncatedAlerts: Int
    /// `firing` while any alert in it fires, else `resolved`.
    public var status: String
    /// The receiver's name.
    public var receiver: String
    /// The `group_by` labels' values.
    public var groupLabels: [String: String]
    /// The labels every alert in the body shares.
    public var commonLabels: [String: String]
    /// The annotations every alert in the body shares.
    public var commonAnnotations: [String: String]
    /// The agent's own URL (`alerts.external_url`).
    public var externalURL: String
    /// The group's alerts, firing first.
    public var alerts: [Alert]

    /// The body for one notification.
    public init(_ notification: AlertNotification, externalURL: String) {
        let alerts = notification.alerts.map { alert in
            Alert(
                status: alert.state.isFiring ? "firing" : "resolved", labels: alert.labels,
                annotations: AlertAnnotations.of(alert), startsAt: RFC3339.string(alert.startsAt ?? alert.activeSince),
                endsAt: alert.state.isFiring ? RFC3339.zero : RFC3339.string(alert.endsAt ?? alert.lastActiveAt),
                generatorURL: AlertAnnotations.generatorURL(alert, externalURL: externalURL),
                fingerprint: alert.fingerprint)
        }
        self.version = "4"
        self.groupKey = notification.groupKey
        self.truncatedAlerts = 0
        self.status = notification.isFiring ? "firing" : "resolved"
        self.receiver = notification.receiver
        self.groupLabels = notification.groupLabels
        self.commonLabels = Self.common(alerts.map(\.labels))
        self.commonAnnotations = Self.common(alerts.map(\.annotations))
        self.externalURL = externalURL
        self.alerts = alerts
    }

    /// The pairs every map shares.
    static func common(_ maps: [[String: String]]) -> [String: String] {
        guard var result = maps.first else { return [:] }
        for map in maps.dropFirst() { result = result.filter { map[$0.key] == $0.value } }
        return result
    }

    /// The body as JSON, keys sorted (stable for tests and signatures).
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and string maps cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }
}
