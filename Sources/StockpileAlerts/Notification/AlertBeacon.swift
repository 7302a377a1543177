/// The site beacon's decision: on while any critical alert fires, unacknowledged, unsilenced and
/// uninhibited; off otherwise. The service writes the coil only when the decision changes.
public enum AlertBeacon {
    /// Whether the beacon should be lit.
    public static func shouldLight(_ alerts: [Alert], suppression: AlertSuppression) -> Bool {
        alerts.contains { $0.state == .firing && $0.severity == .critical && !suppression.isSuppressed($0) }
    }
}
