/// How urgent an alert is; receivers filter on it and only `critical` lights the site beacon.
public enum AlertSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Worth recording and showing; nobody needs to act now.
    case info
    /// Someone should look during the shift.
    case warning
    /// Someone must act now; lights the beacon while it fires unacknowledged.
    case critical

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    /// Orders by urgency: `info < warning < critical`.
    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.rank < rhs.rank }
}
