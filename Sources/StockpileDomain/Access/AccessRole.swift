/// What a bearer token (or the dashboard session made with it) may do, from the site file's `http.tokens`.
///
/// Reading needs `viewer`; the others add what their people do: an operator acknowledges and silences, an
/// auditor reconciles, exports and records counts, an admin does all of that and records ledger transactions.
public enum AccessRole: String, CaseIterable, Hashable, Sendable, Codable {
    case viewer
    case `operator`
    case auditor
    case admin

    /// Whether this role may do `action`.
    public func permits(_ action: AccessAction) -> Bool {
        switch action {
        case .read: true
        case .acknowledge, .silence: self == .operator || self == .admin
        case .reconcile, .count: self == .auditor || self == .admin
        case .recordTransaction: self == .admin
        }
    }

    /// The least role that may do `action`, for a 403's message.
    public static func least(for action: AccessAction) -> AccessRole {
        allCases.first { $0.permits(action) } ?? .admin
    }
}

/// Something a request does, as access control sees it.
public enum AccessAction: String, CaseIterable, Hashable, Sendable {
    /// Any GET: devices, readings, alerts, the ledger's positions, reports.
    case read
    /// Acknowledge an alert.
    case acknowledge
    /// Create or end a silence.
    case silence
    /// Run a reconciliation.
    case reconcile
    /// Record a count by hand.
    case count
    /// Record a ledger transaction.
    case recordTransaction = "record_transaction"
}
