/// What `ledger verify` found walking the hash chain.
public struct LedgerVerification: Hashable, Sendable {
    /// The first entry that does not hold, and how.
    public struct Failure: Hashable, Sendable, CustomStringConvertible {
        /// How the chain is broken at `sequence`.
        public enum Kind: String, Hashable, Sendable {
            /// The entry's content no longer matches its hash: it was edited.
            case altered
            /// The entry does not link to the one before it: it was inserted, or entries were reordered.
            case inserted
            /// Sequence numbers jump: entries from `sequence` on are gone.
            case missing
        }

        public var sequence: Int64
        public var kind: Kind
        /// The entry's document, when the entry exists.
        public var document: String?
        public var message: String

        public var description: String { message }
    }

    /// Entries walked.
    public var entries: Int
    /// The hash of the last entry (hex), the value an auditor writes down; all zeros for an empty ledger.
    public var head: String
    /// `nil` when every entry holds.
    public var failure: Failure?

    public var isIntact: Bool { failure == nil }
}
