/// What one poll of a device came to, counted per transaction: the input of health judgement.
public struct PollOutcome: Hashable, Sendable {
    /// Transactions the poll planned.
    public var transactions: Int
    /// Transactions the device refused (a Modbus exception) or answered with garbage.
    public var refused: Int
    /// Transactions without an answer (timeout, broken or refused connection), after any retries.
    public var unanswered: Int
    /// Attempts beyond the first that the poll needed, answered or not.
    public var retries: Int
    /// Why the first failed transaction failed, in a technician's words; nil when none failed.
    public var firstFailure: String?

    public init(transactions: Int, refused: Int = 0, unanswered: Int = 0, retries: Int = 0, firstFailure: String? = nil)
    {
        self.transactions = transactions
        self.refused = refused
        self.unanswered = unanswered
        self.retries = retries
        self.firstFailure = firstFailure
    }

    /// No transaction got any answer: the device, or the path to it, is silent.
    public var isSilent: Bool {
        transactions > 0 && unanswered == transactions
    }

    /// Every transaction answered at the first attempt.
    public var isClean: Bool {
        refused == 0 && unanswered == 0 && retries == 0
    }
}
