/// A place the ledger keeps stock: a scale's bay, or a place counted by hand.
public struct LedgerLocation: Hashable, Sendable {
    /// How a location's physical quantity is found.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// A scale of the site file weighs it continuously.
        case scale
        /// No fixed scale: it is counted by hand, weighing with the declared counting scale.
        case manual
    }

    /// The location's name (`bay-b1`), as in the site file.
    public var name: String
    public var kind: Kind
    /// The zone it is in, whose humidity is evidence for hygroscopic lots.
    public var zone: String?
    /// The device that weighs it (`kind == .scale`); `nil` for a manual location.
    public var device: String?
    /// The metrology of the scale that weighs it: the fixed scale, or the counting scale.
    public var metrology: ScaleLocation

    public init(name: String, kind: Kind, zone: String?, device: String?, metrology: ScaleLocation) {
        self.name = name
        self.kind = kind
        self.zone = zone
        self.device = device
        self.metrology = metrology
    }
}
