public import Foundation

/// A lot's book position at one instant: where it is and how much the ledger says it holds.
public struct LotPosition: Hashable, Sendable {
    /// The transaction that last brought material into the lot: its time and document.
    public struct Receipt: Hashable, Sendable {
        public var time: Date
        public var document: String

        public init(time: Date, document: String) {
            self.time = time
            self.document = document
        }

        public init(_ transaction: LedgerTransaction) {
            self.init(time: transaction.time, document: transaction.document)
        }
    }

    public var lot: Lot
    /// Where the lot is at that instant (its transfers applied).
    public var location: String
    /// Net kg on the book.
    public var kilograms: Double
    /// The lot's last receipt or opening up to that instant, from which its humidity exposure counts.
    public var lastReceipt: Receipt?

    public init(lot: Lot, location: String, kilograms: Double, lastReceipt: Receipt?) {
        self.lot = lot
        self.location = location
        self.kilograms = kilograms
        self.lastReceipt = lastReceipt
    }
}
