public import Foundation

/// One receiver's delivery counters, for `stockpile status`: how many notifications got through and how
/// many failed since the store began, and the latest of each.
public struct ReceiverDelivery: Hashable, Sendable {
    /// The receiver's name in the site file.
    public var receiver: String
    /// Notifications that got through.
    public var sent: Int
    /// Attempts that failed.
    public var failed: Int
    /// When the last one got through.
    public var lastSuccessAt: Date?
    /// When the last attempt failed.
    public var lastFailureAt: Date?
    /// What the last failure said.
    public var lastError: String?

    /// Counters as stored.
    public init(
        receiver: String, sent: Int = 0, failed: Int = 0, lastSuccessAt: Date? = nil, lastFailureAt: Date? = nil,
        lastError: String? = nil
    ) {
        self.receiver = receiver
        self.sent = sent
        self.failed = failed
        self.lastSuccessAt = lastSuccessAt
        self.lastFailureAt = lastFailureAt
        self.lastError = lastError
    }
}
