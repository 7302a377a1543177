import StockpileDomain

/// A reconciliation report's content: what every format renders and what its SHA-256 covers.
///
/// All numbers are numbers (kg rounded to the microgram's neighbourhood, 6 decimals, so binary noise
/// never reaches the report), units and qualities are fields, times are UTC text. Encoded with sorted
/// keys and no whitespace, it is the canonical content (`ReportDigest`).
public struct ReconciliationReport: Codable, Hashable, Sendable {
    public struct Site: Codable, Hashable, Sendable {
        public var id: String
        public var name: String
    }

    /// The last transaction the report includes: the cut-off an auditor records.
    public struct CutOff: Codable, Hashable, Sendable {
        public var sequence: Int64
        public var time: String
        public var kind: String
        public var document: String
        /// The chain hash of the newest entry (highest sequence) in effect at the instant.
        public var chainHash: String
    }

    public struct Tolerance: Codable, Hashable, Sendable {
        public var kg: Double
        public var divisions: Double
        public var accuracyClass: String
        public var division: Double
        public var loadKg: Double
        public var loadDivisions: Double
        public var row: String
        public var rule: String
        public var source: String
        /// Added for gains on hygroscopic lots only.
        public var moistureAllowanceKg: Double
    }

    public struct Readings: Codable, Hashable, Sendable {
        public var device: String
        public var point: String
        public var source: String
        public var windowStart: String
        public var windowEnd: String
        public var first: String?
        public var last: String?
        public var count: Int
        public var goodCount: Int
        public var median: Double?
        public var min: Double?
        public var max: Double?
        public var qualities: [Quality]
    }

    public struct Quality: Codable, Hashable, Sendable {
        public var quality: String
        public var count: Int
    }

    public struct Humidity: Codable, Hashable, Sendable {
        public var zone: String
        public var limitRelativeHumidity: Double
        public var since: String
        public var hoursAbove: Double
        public var hoursCovered: Double
        public var maximumRelativeHumidity: Double?
        public var samples: Int
    }

    public struct LotLine: Codable, Hashable, Sendable {
        public var lot: String
        public var material: String
        public var bookKg: Double
        public var containers: Int
        public var containerKind: String
        public var containerTareKg: Double
        public var moistureAllowanceKg: Double
        public var humidity: Humidity?
    }

    public struct Health: Codable, Hashable, Sendable {
        public var time: String
        public var state: String
        public var reason: String
    }

    public struct Count: Codable, Hashable, Sendable {
        public var time: String
        public var counter: String
        public var document: String
        public var countedKg: Double
        public var bookKg: Double
        public var varianceKg: Double
    }

    public struct Line: Codable, Hashable, Sendable {
        public var location: String
        public var kind: String
        public var device: String?
        public var zone: String?
        public var unit: String
        public var bookKg: Double
        public var physicalKg: Double?
        public var physicalMethod: String
        public var varianceKg: Double?
        public var variancePercent: Double?
        public var tolerance: Tolerance
        public var status: String
        public var explanation: String
        public var lots: [LotLine]
        public var readings: Readings?
        public var health: [Health]
        public var count: Count?
    }

    public struct MaterialTotal: Codable, Hashable, Sendable {
        public var material: String
        public var name: String
        public var lots: Int
        public var bookKg: Double
    }

    /// Which report format this is (`stockpile-reconciliation/1`).
    public var schema: String
    public var site: Site
    /// The instant reconciled.
    public var at: String
    public var windowSeconds: Double
    /// The one location asked for (`--location`), or `nil` for every location.
    public var locationFilter: String?
    public var cutOff: CutOff?
    public var locations: [Line]
    public var totals: [MaterialTotal]
    /// Status → number of locations, every status listed.
    public var statusCounts: [Quality]
    public var notes: [String]
}
