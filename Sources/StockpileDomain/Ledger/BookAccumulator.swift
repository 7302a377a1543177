public import Foundation

/// Book positions built up one transaction at a time: the one place a transaction's effect on its lot
/// is defined. `BookLedger` feeds it from its transactions; the store feeds it straight from its rows,
/// so a reconciliation of a large ledger never holds every transaction in memory.
///
/// The result does not depend on the order the transactions come in: a lot's kg is the sum of their
/// changes, its location the destination of its latest transfer, its last receipt the latest opening
/// or receipt, "latest" by time and then by the order recorded (`sequence`). The store can then read
/// the rows in the order they lie in the file.
public struct BookAccumulator: Sendable {
    public let lots: [String: Lot]
    private var states: [String: State] = [:]

    /// When a transaction applies: its time, then the order it was recorded in.
    private struct Key: Comparable {
        var time: Date
        var sequence: Int64

        static func < (a: Key, b: Key) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
    }

    private struct State {
        var position: LotPosition
        var lastTransfer: Key?
        var lastReceipt: Key?
    }

    public init(lots: [String: Lot]) {
        self.lots = lots
        states.reserveCapacity(lots.count)
    }

    /// Applies one transaction in effect; a transaction of a lot the ledger does not know changes nothing.
    public mutating func apply(
        kind: LedgerTransaction.Kind, time: Date, sequence: Int64, lot id: String, destination: String?,
        quantity: Double, document: String
    ) {
        guard let lot = lots[id] else { return }
        var state =
            states[id]
            ?? State(position: LotPosition(lot: lot, location: lot.location, kilograms: 0, lastReceipt: nil))
        let key = Key(time: time, sequence: sequence)
        state.position.kilograms += LedgerTransaction.bookChange(kind, quantity)
        if kind == .transfer, let destination, state.lastTransfer.map({ $0 < key }) ?? true {
            state.position.location = destination
            state.lastTransfer = key
        }
        if kind == .opening || kind == .receipt, state.lastReceipt.map({ $0 < key }) ?? true {
            state.position.lastReceipt = LotPosition.Receipt(time: time, document: document)
            state.lastReceipt = key
        }
        states[id] = state
    }

    /// Applies `transaction`, the `sequence`-th recorded.
    public mutating func apply(_ transaction: LedgerTransaction, sequence: Int64) {
        apply(
            kind: transaction.kind, time: transaction.time, sequence: sequence, lot: transaction.lot,
            destination: transaction.destination, quantity: transaction.quantity, document: transaction.document)
    }

    /// Every lot with a position, ordered by location then lot id. A lot issued to zero still appears
    /// (with 0 kg) at its last location.
    public var positions: [LotPosition] {
        states.values.map(\.position).sorted { ($0.location, $0.lot.id) < ($1.location, $1.lot.id) }
    }
}
