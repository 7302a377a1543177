public import Foundation

/// One change of an alert's state: what the log receiver writes and the store appends.
public struct AlertTransition: Hashable, Sendable, Codable {
    /// The alert's id.
    public var alertID: Int
    /// The alert's fingerprint.
    public var fingerprint: String
    /// The rule's name.
    public var rule: String
    /// The state it left.
    public var from: AlertState
    /// The state it entered.
    public var to: AlertState
    /// When.
    public var at: Date
    /// The condition's value at the transition, if it has one.
    public var value: Double?
    /// Who acknowledged (acknowledgements only).
    public var by: String?
    /// The acknowledgement's comment, or why the transition happened.
    public var comment: String?

    /// A transition.
    public init(
        alertID: Int, fingerprint: String, rule: String, from: AlertState, to: AlertState, at: Date,
        value: Double? = nil, by: String? = nil, comment: String? = nil
    ) {
        self.alertID = alertID
        self.fingerprint = fingerprint
        self.rule = rule
        self.from = from
        self.to = to
        self.at = at
        self.value = value
        self.by = by
        self.comment = comment
    }
}
