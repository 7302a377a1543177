public import Foundation

/// A request the CLI leaves in the store for a running agent (`stockpile alerts ack` while the agent holds
/// the data directory): the agent applies it to its tracker and completes it with the outcome.
public struct AlertRequest: Hashable, Sendable, Identifiable {
    /// What is asked.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Acknowledge the alert `alertID` as `by`, with `comment`.
        case acknowledge
    }

    /// The row id, increasing.
    public var id: Int
    /// What is asked.
    public var kind: Kind
    /// The alert it is about.
    public var alertID: Int
    /// Who asks (who acknowledges).
    public var by: String
    /// Their comment.
    public var comment: String
    /// When it was asked.
    public var requestedAt: Date
    /// When the agent completed it; nil while pending.
    public var doneAt: Date?
    /// Nil when accepted (or still pending); otherwise why the agent refused it.
    public var outcome: String?

    /// A request as stored.
    public init(
        id: Int, kind: Kind, alertID: Int, by: String, comment: String, requestedAt: Date, doneAt: Date? = nil,
        outcome: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.alertID = alertID
        self.by = by
        self.comment = comment
        self.requestedAt = requestedAt
        self.doneAt = doneAt
        self.outcome = outcome
    }

    /// Whether the agent has completed it.
    public var isDone: Bool { doneAt != nil }

    /// Whether the agent completed it and accepted it.
    public var isAccepted: Bool { doneAt != nil && outcome == nil }
}
