public import Foundation

/// What a reconciliation needs of the ledger at one instant: its reference data, its counts and every
/// lot's book position then, without its whole history of transactions.
public struct BookSnapshot: Sendable {
    public var instant: Date
    public var materials: [String: Material]
    public var lots: [String: Lot]
    /// Every signed-off count, in time order.
    public var counts: [PhysicalCount]
    /// Every lot with a position at `instant`, ordered by location then lot id.
    public var positions: [LotPosition]

    public init(
        instant: Date, materials: [String: Material], lots: [String: Lot], counts: [PhysicalCount],
        positions: [LotPosition]
    ) {
        self.instant = instant
        self.materials = materials
        self.lots = lots
        self.counts = counts
        self.positions = positions
    }

    /// The ledger's snapshot at `instant`, as the store's would be.
    public init(_ ledger: BookLedger, asOf instant: Date) {
        self.init(
            instant: instant, materials: ledger.materials, lots: ledger.lots, counts: ledger.counts,
            positions: ledger.positions(asOf: instant))
    }

    /// The latest signed-off count at `location` at or before `time`.
    public func latestCount(at location: String, before time: Date) -> PhysicalCount? {
        PhysicalCount.latest(in: counts, at: location, before: time)
    }
}
