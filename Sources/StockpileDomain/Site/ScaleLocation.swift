/// The bay a scale weighs, with the scale's metrology: what reconciliation needs to judge a
/// variance against the scale's legal tolerance.
///
/// `capacity` and `division` are in the unit of the profile's weight points (kg for every shipped
/// profile).
public struct ScaleLocation: Hashable, Sendable {
    /// The bay's name, as the ledger knows it (`bay-a1`).
    public var name: String
    /// Maximum capacity (Max).
    public var capacity: Double
    /// Scale division d (1, 2 or 5 × a power of ten).
    public var division: Double
    public var accuracyClass: AccuracyClass

    public init(name: String, capacity: Double, division: Double, accuracyClass: AccuracyClass) {
        self.name = name
        self.capacity = capacity
        self.division = division
        self.accuracyClass = accuracyClass
    }

    /// The number of divisions, n = Max / d.
    public var divisions: Int {
        Int((capacity / division).rounded())
    }
}
