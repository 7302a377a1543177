/// A lot's book position at one instant: where it is and how much the ledger says it holds.
public struct LotPosition: Hashable, Sendable {
    public var lot: Lot
    /// Where the lot is at that instant (its transfers applied).
    public var location: String
    /// Net kg on the book.
    public var kilograms: Double
    /// The time of the lot's last receipt or opening up to that instant, from which its humidity
    /// exposure counts.
    public var lastReceipt: LedgerTransaction?

    public init(lot: Lot, location: String, kilograms: Double, lastReceipt: LedgerTransaction?) {
        self.lot = lot
        self.location = location
        self.kilograms = kilograms
        self.lastReceipt = lastReceipt
    }
}
