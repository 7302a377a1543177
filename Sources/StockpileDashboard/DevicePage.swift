public import Foundation

/// One device: every point's latest reading, its health history, and a chart of one point.
public struct DevicePage: Sendable, Equatable {
    /// The page's chrome.
    public var chrome: PageChrome
    /// The device's name in the site file.
    public var name: String
    /// Its label for people.
    public var label: String
    /// Its profile's name.
    public var profile: String
    /// The bus it is on.
    public var bus: String
    /// Its health now.
    public var health: DeviceHealthState
    /// Its points' latest readings.
    public var points: [Point]
    /// Its health transitions, newest first.
    public var healthHistory: [HealthEvent]
    /// The chart.
    public var chart: Chart

    /// A device page.
    public init(
        chrome: PageChrome, name: String, label: String, profile: String, bus: String, health: DeviceHealthState,
        points: [Point], healthHistory: [HealthEvent], chart: Chart
    ) {
        self.chrome = chrome
        self.name = name
        self.label = label
        self.profile = profile
        self.bus = bus
        self.health = health
        self.points = points
        self.healthHistory = healthHistory
        self.chart = chart
    }

    /// A point's value: a number, a text (an enumeration's word, an identity string), or none.
    public enum Value: Sendable, Equatable {
        /// A number in the point's unit.
        case number(Double)
        /// A text.
        case text(String)
        /// No value (the read failed).
        case missing
    }

    /// A reading's quality; the raw values are the store's words.
    public enum Quality: String, Sendable, Hashable, CaseIterable {
        /// Trusted.
        case good
        /// Read, but a qualifier doubts it.
        case uncertain
        /// The device answered with an exception or garbage.
        case bad
        /// Not answered; the device is not yet offline.
        case stale
        /// Not answered; the device is offline.
        case offline

        /// Its colour.
        public var tone: Tone {
            switch self {
            case .good: .green
            case .uncertain: .amber
            case .bad, .offline: .red
            case .stale: .grey
            }
        }
    }

    /// One point's latest reading.
    public struct Point: Sendable, Equatable {
        /// The point's name in the profile.
        public var name: String
        /// Its value.
        public var value: Value
        /// Its unit (`kg`, `°C`, `%RH`).
        public var unit: String?
        /// The reading's quality.
        public var quality: Quality
        /// Seconds since the reading; nil when there is none.
        public var ageSeconds: Double?

        /// A point's reading.
        public init(name: String, value: Value, unit: String?, quality: Quality, ageSeconds: Double?) {
            self.name = name
            self.value = value
            self.unit = unit
            self.quality = quality
            self.ageSeconds = ageSeconds
        }
    }

    /// One health transition.
    public struct HealthEvent: Sendable, Equatable {
        /// When.
        public var at: Date
        /// The state it went into.
        public var state: DeviceHealthState
        /// Why, in the agent's words.
        public var reason: String

        /// A transition.
        public init(at: Date, state: DeviceHealthState, reason: String) {
            self.at = at
            self.state = state
            self.reason = reason
        }
    }

    /// The time ranges the chart offers; the raw value is the `range` query value.
    public enum ChartRange: String, Sendable, Hashable, CaseIterable {
        /// The last hour.
        case hour = "1h"
        /// The last 6 hours.
        case sixHours = "6h"
        /// The last 24 hours.
        case day = "24h"
        /// The last 7 days.
        case week = "7d"
        /// The last 30 days.
        case month = "30d"

        /// Its length.
        public var seconds: TimeInterval {
            switch self {
            case .hour: 3600
            case .sixHours: 6 * 3600
            case .day: 24 * 3600
            case .week: 7 * 24 * 3600
            case .month: 30 * 24 * 3600
            }
        }
    }

    /// One bucket of the chart's series (a minute aggregate, or a coarser one for long ranges).
    public struct ChartSample: Sendable, Equatable {
        /// The bucket's start.
        public var time: Date
        /// The lowest value in it.
        public var min: Double
        /// Its mean.
        public var mean: Double
        /// The highest value in it.
        public var max: Double

        /// A bucket.
        public init(time: Date, min: Double, mean: Double, max: Double) {
            self.time = time
            self.min = min
            self.mean = mean
            self.max = max
        }
    }

    /// The chart of one point over a range ending at `generatedAt`.
    public struct Chart: Sendable, Equatable {
        /// The points one can chart.
        public var pointNames: [String]
        /// The point charted; nil before one is chosen.
        public var point: String?
        /// The chosen range.
        public var range: ChartRange
        /// The charted point's unit.
        public var unit: String?
        /// Its buckets, oldest first.
        public var series: [ChartSample]

        /// A chart.
        public init(pointNames: [String], point: String?, range: ChartRange, unit: String?, series: [ChartSample]) {
            self.pointNames = pointNames
            self.point = point
            self.range = range
            self.unit = unit
            self.series = series
        }
    }
}
