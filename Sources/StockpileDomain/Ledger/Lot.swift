/// A lot: one batch of one material, in containers of one kind, kept together at one location.
///
/// A lot moves as a whole (`LedgerTransaction.Kind.transfer` moves its entire book position); a
/// partial move is an issue from this lot and a receipt into a new one, so that the containers and
/// their tares stay where the ledger says they are.
public struct Lot: Hashable, Sendable, Codable {
    /// The lot id (`DY-2026-027`).
    public var id: String
    /// The material's code.
    public var material: String
    /// Where the lot is first put (its opening balance or first receipt goes there).
    public var location: String
    /// `bag`, `drum`, `big-bag` …
    public var containerKind: String
    /// How many containers the lot is in.
    public var containerCount: Int
    /// The empty weight of one container, kg.
    public var tarePerContainer: Double

    public init(
        id: String, material: String, location: String, containerKind: String, containerCount: Int,
        tarePerContainer: Double
    ) {
        self.id = id
        self.material = material
        self.location = location
        self.containerKind = containerKind
        self.containerCount = containerCount
        self.tarePerContainer = tarePerContainer
    }

    /// The weight of the empty containers, kg: what a scale that reports gross weighs on top of the
    /// material.
    public var containerTare: Double {
        Double(containerCount) * tarePerContainer
    }
}
