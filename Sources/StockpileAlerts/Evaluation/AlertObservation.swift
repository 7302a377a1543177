public import Foundation
public import StockpileDomain

/// What the agent knows at one instant, as the evaluator reads it: built by the service loop from
/// the poller's health, the latest readings, a short history, and the ledger's open events.
///
/// Anything missing is unknown, never normal: a device absent from `devices` raises no threshold,
/// clears none, and is not counted offline either.
public struct AlertObservation: Hashable, Sendable {
    /// One device's health and readings.
    public struct Device: Hashable, Sendable {
        /// The poller's judgement of the device.
        public var health: DeviceHealth
        /// Since when the device has been in `health`.
        public var since: Date
        /// The status flags set in its latest status reading (`overload`, `load_cell_error`, …).
        public var activeFlags: Set<String>
        /// Its points by name.
        public var points: [String: Point]

        /// A device observation.
        public init(health: DeviceHealth, since: Date, activeFlags: Set<String> = [], points: [String: Point] = [:]) {
            self.health = health
            self.since = since
            self.activeFlags = activeFlags
            self.points = points
        }
    }

    /// One point's latest reading and recent good values.
    public struct Point: Hashable, Sendable {
        /// The latest value (a bit reads as 0 or 1); nil when the device gave none.
        public var value: Double?
        /// How far the latest value can be trusted.
        public var quality: ReadingQuality
        /// When the latest reading was taken.
        public var at: Date
        /// Since when the value has been what it is (a door's open-since); nil when not tracked.
        public var since: Date?
        /// The last time the device gave a fresh value for the point (of any quality but `stale` or
        /// `offline`); nil: never. A held value's staleness counts from here.
        public var lastFreshAt: Date?
        /// Good values, oldest first, at least as far back as the longest rate window.
        public var history: [Sample]

        /// A point observation; `lastFreshAt` defaults to `at` unless the quality is `stale` or `offline`.
        public init(
            value: Double?, quality: ReadingQuality, at: Date, since: Date? = nil, lastFreshAt: Date? = nil,
            history: [Sample] = []
        ) {
            self.value = value
            self.quality = quality
            self.at = at
            self.since = since
            self.lastFreshAt = lastFreshAt ?? (quality == .stale || quality == .offline ? nil : at)
            self.history = history
        }

        /// Whether the value can be judged against a limit: good or uncertain, and present.
        public var isUsable: Bool {
            value != nil && (quality == .good || quality == .uncertain)
        }

        /// Whether the value is only held (no fresh reading): `stale`, `offline`, or absent.
        public var isStale: Bool {
            value == nil || quality == .stale || quality == .offline
        }
    }

    /// One value at one instant.
    public struct Sample: Hashable, Sendable, Codable {
        /// When the value was read.
        public var at: Date
        /// The value read.
        public var value: Double

        /// A sample.
        public init(at: Date, value: Double) {
            self.at = at
            self.value = value
        }
    }

    /// A finding of the ledger still open (not yet explained by a transaction or closed by a person).
    public struct LedgerEvent: Hashable, Sendable {
        /// What the ledger found.
        public var kind: LedgerEventKind
        /// The ledger location it is at.
        public var location: String
        /// When the finding began (the movement's start, the reconciliation's time).
        public var since: Date
        /// The change or variance, kg (− for a loss).
        public var kilograms: Double
        /// A line for people, such as "−25 kg at bay-b1 with no transaction".
        public var detail: String

        /// A ledger finding.
        public init(kind: LedgerEventKind, location: String, since: Date, kilograms: Double, detail: String = "") {
            self.kind = kind
            self.location = location
            self.since = since
            self.kilograms = kilograms
            self.detail = detail
        }

        /// A movement scan's event, as an open finding.
        public init(_ event: MovementEvent) {
            self.init(
                kind: LedgerEventKind(event.kind), location: event.location, since: event.start,
                kilograms: event.changeKilograms,
                detail: "\(AlertText.number(event.changeKilograms)) kg at \(event.location) (\(event.kind.rawValue))")
        }
    }

    /// Devices by name.
    public var devices: [String: Device]
    /// Open ledger findings.
    public var ledgerEvents: [LedgerEvent]
    /// The lowest humidity limit (%RH) of the hygroscopic materials stored in each zone, from the ledger.
    public var materialHumidityLimits: [String: Double]
    /// False until the ledger has been read once: ledger rules are unknown until then.
    public var ledgerKnown: Bool

    /// An observation.
    public init(
        devices: [String: Device] = [:], ledgerEvents: [LedgerEvent] = [],
        materialHumidityLimits: [String: Double] = [:],
        ledgerKnown: Bool = true
    ) {
        self.devices = devices
        self.ledgerEvents = ledgerEvents
        self.materialHumidityLimits = materialHumidityLimits
        self.ledgerKnown = ledgerKnown
    }
}
