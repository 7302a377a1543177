public import Foundation

/// One location's reconciliation: book against physical, the variance, the tolerance and the rule
/// behind it, the verdict, and the evidence.
public struct LocationReconciliation: Hashable, Sendable {
    /// A lot on the book at the location.
    public struct LotLine: Hashable, Sendable {
        public var lot: String
        public var material: String
        public var kilograms: Double
        public var containers: Int
        public var containerKind: String
        public var containerTare: Double
        /// The zone's humidity exposure since the lot's last receipt, for a hygroscopic material with a
        /// limit, when the zone has a sensor.
        public var humidity: HumidityExposure?
        /// The lot's moisture allowance, kg (the material's % of the lot's net); 0 if not hygroscopic.
        public var moistureAllowance: Double

        public init(
            lot: String, material: String, kilograms: Double, containers: Int, containerKind: String,
            containerTare: Double, humidity: HumidityExposure?, moistureAllowance: Double
        ) {
            self.lot = lot
            self.material = material
            self.kilograms = kilograms
            self.containers = containers
            self.containerKind = containerKind
            self.containerTare = containerTare
            self.humidity = humidity
            self.moistureAllowance = moistureAllowance
        }
    }

    /// A count by hand shown beside the scale, against the book at the count's time.
    public struct CountLine: Hashable, Sendable {
        public var count: PhysicalCount
        /// The book at the count's time.
        public var book: Double
        public var variance: Double

        public init(count: PhysicalCount, book: Double, variance: Double) {
            self.count = count
            self.book = book
            self.variance = variance
        }
    }

    /// A change of the scale's health in or just before the window.
    public struct HealthNote: Hashable, Sendable {
        public var time: Date
        public var state: String
        public var reason: String

        public init(time: Date, state: String, reason: String) {
            self.time = time
            self.state = state
            self.reason = reason
        }
    }

    public var location: String
    public var kind: LedgerLocation.Kind
    public var device: String?
    public var zone: String?
    /// Net kg on the book at the instant.
    public var book: Double
    /// Net kg found: the scale's weight, or for a manual location the count; `nil` without one.
    public var physical: Double?
    /// How `physical` was obtained.
    public var physicalMethod: String
    /// `physical − book`, kg.
    public var variance: Double?
    /// `variance ÷ book × 100`; `nil` when the book is zero.
    public var variancePercent: Double?
    /// The scale's HB44 maintenance tolerance at the location's load.
    public var scaleTolerance: MaintenanceTolerance.Rule
    /// The hygroscopic lots' moisture allowance, kg, which widens the tolerance for gains only.
    public var moistureAllowance: Double
    public var status: ReconciliationStatus
    /// Why the status, in one sentence.
    public var explanation: String
    public var lots: [LotLine]
    public var readings: ReadingEvidence?
    public var health: [HealthNote]
    public var count: CountLine?

    public init(
        location: String, kind: LedgerLocation.Kind, device: String?, zone: String?, book: Double, physical: Double?,
        physicalMethod: String, variance: Double?, variancePercent: Double?, scaleTolerance: MaintenanceTolerance.Rule,
        moistureAllowance: Double, status: ReconciliationStatus, explanation: String, lots: [LotLine],
        readings: ReadingEvidence?, health: [HealthNote], count: CountLine?
    ) {
        self.location = location
        self.kind = kind
        self.device = device
        self.zone = zone
        self.book = book
        self.physical = physical
        self.physicalMethod = physicalMethod
        self.variance = variance
        self.variancePercent = variancePercent
        self.scaleTolerance = scaleTolerance
        self.moistureAllowance = moistureAllowance
        self.status = status
        self.explanation = explanation
        self.lots = lots
        self.readings = readings
        self.health = health
        self.count = count
    }
}
