public import Foundation
public import StockpileDomain

/// A transaction as the store keeps it: its place in the chain and its hashes.
public struct StoredTransaction: Hashable, Sendable {
    /// 1, 2, 3 … in the order recorded.
    public var sequence: Int64
    public var transaction: LedgerTransaction
    public var previousHash: Data
    public var hash: Data

    /// The hash as lower-case hex.
    public var hashHex: String { LedgerChain.hex(hash) }
}
