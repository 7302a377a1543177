public import Foundation

/// One element of the array POSTed to an Alertmanager's `/api/v2/alerts`
/// [src: alertmanager api/v2/openapi.yaml `postableAlert`: `labels`, `annotations`, `startsAt`,
/// `endsAt`, `generatorURL`].
///
/// A firing alert is re-sent while it fires (the Alertmanager receiver's `resend_interval`) with an
/// `endsAt` four resend intervals ahead, as Prometheus does, so an agent that stops sending lets
/// Alertmanager resolve the alert on its own; a resolved alert carries its real end.
public struct AlertmanagerPostableAlert: Hashable, Sendable, Codable {
    /// The alert's labels (`alertname` included, as Alertmanager requires).
    public var labels: [String: String]
    /// The alert's annotations.
    public var annotations: [String: String]
    /// When it fired, RFC 3339 UTC.
    public var startsAt: String
    /// Four resend intervals ahead while firing; its end once resolved.
    public var endsAt: String
    /// A link to the alert in the agent's dashboard (empty without `external_url`).
    public var generatorURL: String

    /// The postable form of an alert at `now`.
    public init(_ alert: Alert, now: Date, resendInterval: Duration, externalURL: String) {
        labels = alert.labels
        annotations = AlertAnnotations.of(alert)
        startsAt = RFC3339.string(alert.startsAt ?? alert.activeSince)
        endsAt =
            alert.state.isFiring
            ? RFC3339.string(now.addingTimeInterval(4 * resendInterval.timeInterval))
            : RFC3339.string(alert.endsAt ?? now)
        generatorURL = AlertAnnotations.generatorURL(alert, externalURL: externalURL)
    }

    /// The array for one notification, as JSON with sorted keys.
    public static func json(
        _ notification: AlertNotification, now: Date, resendInterval: Duration, externalURL: String
    )
        -> Data
    {
        let alerts = notification.alerts.map {
            AlertmanagerPostableAlert($0, now: now, resendInterval: resendInterval, externalURL: externalURL)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(alerts)) ?? Data()
    }
}
