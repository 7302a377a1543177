/// What the log receiver writes for one transition: a short message and structured metadata, so the
/// agent's `Logger` gets `alert`, `rule`, `from`, `to` and the labels as fields, not string soup.
public struct AlertLogEntry: Hashable, Sendable {
    /// `alert 12 firing: humidity of zone-b-climate is 66.2, limit above 65 (clears at 62)`.
    public var message: String
    /// `alert`, `fingerprint`, `rule`, `from`, `to`, `severity`, the alert's labels (`device`, `zone`, …),
    /// and `value`, `by`, `comment` when the transition has them.
    public var metadata: [String: String]
    /// Whether the line deserves the log's warning level: a firing alert of severity warning or critical.
    public var isWarning: Bool

    /// The entry for a transition of an alert (the alert as it stands after the transition).
    public init(_ transition: AlertTransition, alert: Alert) {
        var metadata = alert.labels
        metadata["alert"] = String(transition.alertID)
        metadata["fingerprint"] = transition.fingerprint
        metadata["rule"] = transition.rule
        metadata["from"] = transition.from.rawValue
        metadata["to"] = transition.to.rawValue
        if let value = transition.value { metadata["value"] = AlertText.number(value) }
        if let by = transition.by { metadata["by"] = by }
        if let comment = transition.comment, !comment.isEmpty { metadata["comment"] = comment }
        self.metadata = metadata
        let head = "alert \(transition.alertID) \(transition.to.rawValue)"
        switch transition.to {
        case .acknowledged:
            let comment = transition.comment.flatMap { $0.isEmpty ? nil : $0 }
            message = "\(head) by \(transition.by ?? "?")" + (comment.map { ": \($0)" } ?? "")
        case .inactive: message = "\(head) (cleared before it fired): \(alert.summary)"
        default: message = "\(head): \(alert.summary)"
        }
        isWarning = transition.to == .firing && alert.severity >= .warning
    }
}
