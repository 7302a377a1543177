import Crypto
import Foundation
import StockpileDomain

/// The ledger's hash chain: each transaction's hash is SHA-256 over the previous transaction's hash,
/// its sequence number and its canonical content (`LedgerTransaction.canonicalText`).
///
/// Editing a row changes its content, so its hash no longer matches; deleting one leaves a gap in the
/// sequence; inserting or reordering breaks the link to the previous hash. Someone who can rewrite the
/// whole file can recompute the chain from the altered entry on: the head hash printed by `ledger verify`
/// and carried by every reconciliation report is what an auditor keeps outside the store to catch that.
enum LedgerChain {
    /// The `previous_hash` of the first transaction.
    static let genesis = Data(repeating: 0, count: 32)

    static func hash(previous: Data, sequence: Int64, transaction: LedgerTransaction) -> Data {
        var scratch: [UInt8] = []
        return hash(previous: previous, sequence: sequence, transaction: transaction, scratch: &scratch)
    }

    /// The same hash, its input built in `scratch`, which a caller hashing many transactions reuses.
    static func hash(
        previous: Data, sequence: Int64, transaction: LedgerTransaction, scratch: inout [UInt8]
    ) -> Data {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: "seq=".utf8)
        LedgerTransaction.appendDecimal(sequence, to: &scratch)
        scratch.append(UInt8(ascii: ";"))
        transaction.appendCanonicalBytes(to: &scratch)
        var hasher = SHA256()
        hasher.update(data: previous)
        scratch.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Data(hasher.finalize())
    }

    static func hex(_ data: Data) -> String {
        data.map { String(format: "%02x", $0) }.joined()
    }
}
