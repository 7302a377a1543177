public import Foundation

/// The overview: every bay's stock, every zone's climate, every device's health and the active alerts.
public struct OverviewPage: Sendable, Equatable {
    /// The page's chrome.
    public var chrome: PageChrome
    /// The bays (storage locations), in the order shown.
    public var bays: [Bay]
    /// The climate zones, in the order shown.
    public var zones: [Zone]
    /// The devices, in the order shown.
    public var devices: [Device]
    /// The open alerts (pending, firing, acknowledged), in the order shown.
    public var alerts: [Alert]

    /// An overview page.
    public init(chrome: PageChrome, bays: [Bay], zones: [Zone], devices: [Device], alerts: [Alert]) {
        self.chrome = chrome
        self.bays = bays
        self.zones = zones
        self.devices = devices
        self.alerts = alerts
    }

    /// A lot stored in a bay.
    public struct Lot: Sendable, Equatable {
        /// The lot's identifier.
        public var id: String
        /// The material's code.
        public var materialCode: String
        /// The material's name.
        public var materialName: String

        /// A lot of a material.
        public init(id: String, materialCode: String, materialName: String) {
            self.id = id
            self.materialCode = materialCode
            self.materialName = materialName
        }
    }

    /// One bay: its lots, what the book says, what the scale weighs, and the verdict.
    public struct Bay: Sendable, Equatable {
        /// The location's name (`bay-a1`).
        public var location: String
        /// The zone it stands in.
        public var zone: String
        /// The scale weighing it; nil for a hand-counted location.
        public var device: String?
        /// Its lots.
        public var lots: [Lot]
        /// The book weight, kg.
        public var bookKg: Double?
        /// The weighed (or counted) weight, kg.
        public var physicalKg: Double?
        /// Physical minus book, kg.
        public var varianceKg: Double?
        /// The verdict.
        public var status: StockStatus

        /// A bay.
        public init(
            location: String, zone: String, device: String?, lots: [Lot], bookKg: Double?, physicalKg: Double?,
            varianceKg: Double?, status: StockStatus
        ) {
            self.location = location
            self.zone = zone
            self.device = device
            self.lots = lots
            self.bookKg = bookKg
            self.physicalKg = physicalKg
            self.varianceKg = varianceKg
            self.status = status
        }
    }

    /// One climate zone: its latest values and the last 24 h of minute means.
    public struct Zone: Sendable, Equatable {
        /// The zone's name.
        public var name: String
        /// The latest good temperature, °C.
        public var temperatureC: Double?
        /// The latest good relative humidity, %RH.
        public var humidityPercent: Double?
        /// Minute means of the temperature over the 24 h before `generatedAt`, °C.
        public var temperatureSeries: [TimedValue]
        /// Minute means of the humidity over the 24 h before `generatedAt`, %RH.
        public var humiditySeries: [TimedValue]

        /// A zone.
        public init(
            name: String, temperatureC: Double?, humidityPercent: Double?, temperatureSeries: [TimedValue],
            humiditySeries: [TimedValue]
        ) {
            self.name = name
            self.temperatureC = temperatureC
            self.humidityPercent = humidityPercent
            self.temperatureSeries = temperatureSeries
            self.humiditySeries = humiditySeries
        }
    }

    /// One device's health, linking to its page.
    public struct Device: Sendable, Equatable {
        /// The device's name in the site file.
        public var name: String
        /// Its label for people.
        public var label: String
        /// Its health.
        public var health: DeviceHealthState
        /// Seconds since its newest reading; nil when it has none.
        public var lastReadingAgeSeconds: Double?

        /// A device.
        public init(name: String, label: String, health: DeviceHealthState, lastReadingAgeSeconds: Double?) {
            self.name = name
            self.label = label
            self.health = health
            self.lastReadingAgeSeconds = lastReadingAgeSeconds
        }
    }

    /// One open alert.
    public struct Alert: Sendable, Equatable {
        /// How urgent it is; the raw values are the alert rules' words.
        public enum Severity: String, Sendable, Hashable, CaseIterable {
            /// Worth showing.
            case info
            /// Look during the shift.
            case warning
            /// Act now.
            case critical

            /// Its colour.
            public var tone: Tone {
                switch self {
                case .info: .grey
                case .warning: .amber
                case .critical: .red
                }
            }
        }

        /// Where it is in its life; the raw values are the alert lifecycle's words.
        public enum State: String, Sendable, Hashable, CaseIterable {
            /// The condition holds, not yet for long enough.
            case pending
            /// Receivers are told.
            case firing
            /// Someone has taken it on.
            case acknowledged
        }

        /// Its identifier, in `/alerts/<id>/ack`.
        public var id: String
        /// How urgent.
        public var severity: Severity
        /// Its state.
        public var state: State
        /// One line saying what is wrong.
        public var summary: String
        /// Its labels, shown sorted by name.
        public var labels: [String: String]
        /// Its latest transition.
        public var since: Date
        /// Who acknowledged it.
        public var acknowledgedBy: String?
        /// Their comment.
        public var acknowledgedComment: String?
        /// Whether the viewer may acknowledge it (an operator, and the alert firing).
        public var canAcknowledge: Bool

        /// An alert.
        public init(
            id: String, severity: Severity, state: State, summary: String, labels: [String: String], since: Date,
            acknowledgedBy: String? = nil, acknowledgedComment: String? = nil, canAcknowledge: Bool
        ) {
            self.id = id
            self.severity = severity
            self.state = state
            self.summary = summary
            self.labels = labels
            self.since = since
            self.acknowledgedBy = acknowledgedBy
            self.acknowledgedComment = acknowledgedComment
            self.canAcknowledge = canAcknowledge
        }
    }
}
