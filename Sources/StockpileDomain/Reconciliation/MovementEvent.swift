public import Foundation

/// A change in a location's weight that the ledger does not explain, or explains only partly.
public struct MovementEvent: Hashable, Sendable, Codable {
    /// What kind of change.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A settled step beyond the scale's tolerance with no transaction at the location within the
        /// window that accounts for it (theft, a leak, an unrecorded receipt or issue).
        case unrecordedMovement = "unrecorded movement"
        /// A slow gain on a hygroscopic lot while its zone stood above the material's humidity limit.
        case moistureUptake = "moisture uptake"
        /// A slow loss with no transaction (a torn bag, a leak).
        case gradualLoss = "gradual loss"
    }

    public var kind: Kind
    public var location: String
    public var device: String
    /// When the weight left its old level (a step) or the slow change began.
    public var start: Date
    /// When the weight settled at its new level (a step) or the slow change was last seen.
    public var end: Date
    /// New level − old level, kg (− for a loss).
    public var changeKilograms: Double
    public var levelBefore: Double
    public var levelAfter: Double
    /// The scale's HB44 tolerance the change exceeded, kg.
    public var toleranceKilograms: Double
    /// Good readings the two levels were taken from.
    public var readings: Int
    /// For a step: what the ledger's transactions within the window would have changed, kg.
    public var expectedKilograms: Double
    /// Hours the zone stood above the material's limit over the change (moisture uptake).
    public var humidityHoursAbove: Double?

    public init(
        kind: Kind, location: String, device: String, start: Date, end: Date, changeKilograms: Double,
        levelBefore: Double, levelAfter: Double, toleranceKilograms: Double, readings: Int, expectedKilograms: Double,
        humidityHoursAbove: Double? = nil
    ) {
        self.kind = kind
        self.location = location
        self.device = device
        self.start = start
        self.end = end
        self.changeKilograms = changeKilograms
        self.levelBefore = levelBefore
        self.levelAfter = levelAfter
        self.toleranceKilograms = toleranceKilograms
        self.readings = readings
        self.expectedKilograms = expectedKilograms
        self.humidityHoursAbove = humidityHoursAbove
    }
}
