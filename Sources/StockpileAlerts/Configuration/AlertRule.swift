/// One rule of the site file's `alerts` section (or a default), resolved against the site: the
/// devices it watches are named, so evaluation never consults the site file again.
///
/// A threshold rule with several levels becomes one `AlertRule` per level, sharing the name.
public struct AlertRule: Hashable, Sendable {
    /// What the rule watches.
    public enum Kind: Hashable, Sendable {
        /// A point beyond a level (per device).
        case threshold(point: String, level: ThresholdLevel, devices: [String])
        /// A point's rate of change per hour beyond a level, over a window (per device).
        case rate(point: String, level: ThresholdLevel, window: Duration, devices: [String])
        /// A device offline longer than the rule's `for`.
        case offline(devices: [String])
        /// A point without a good value for longer than the rule's `for`.
        case stale(point: String, devices: [String])
        /// Every device of a bus offline: one alert for the bus.
        case busOffline(buses: [String])
        /// A device's status flags (overload, underload, error bits) or a point of bad quality.
        case deviceStatus(flags: Set<String>, badPoints: Set<String>, devices: [String])
        /// Open ledger events of these kinds (at these locations; empty: every location).
        case ledger(events: Set<LedgerEventKind>, locations: Set<String>)
        /// A door open too long, or open outside its schedule.
        case door(DoorRule)
        /// Humidity above the limit of the hygroscopic material stored in the zone, supplied at run time.
        case materialHumidity(point: String, clearMargin: Double, devices: [String])
    }

    /// A door contact and what counts as an alarm for it.
    public struct DoorRule: Hashable, Sendable {
        /// The IO device with the contact.
        public var device: String
        /// The contact input.
        public var point: String
        /// The contact reading that means open (wiring decides; normally closed contacts read false when open).
        public var openWhen: Bool
        /// Open longer than this is an alarm; nil: no limit.
        public var openLongerThan: Duration?
        /// Open outside these hours is an alarm; nil: at any hour.
        public var schedule: DoorSchedule?

        /// A door rule.
        public init(
            device: String, point: String, openWhen: Bool = true, openLongerThan: Duration? = nil,
            schedule: DoorSchedule? = nil
        ) {
            self.device = device
            self.point = point
            self.openWhen = openWhen
            self.openLongerThan = openLongerThan
            self.schedule = schedule
        }
    }

    /// The rule's name: every alert it raises carries it as `alertname`.
    public var name: String
    /// What it watches, with the devices or buses resolved.
    public var kind: Kind
    /// The severity of every alert it raises.
    public var severity: AlertSeverity
    /// Its `for`, `keep_firing_for` and `min_firing`.
    public var timing: AlertTiming
    /// True for a rule every site gets without writing it (`device_offline`, …).
    public var isDefault: Bool
    /// The site file line, for messages; nil for a default left as it is.
    public var line: Int?

    /// A rule from its parts.
    public init(
        name: String, kind: Kind, severity: AlertSeverity, timing: AlertTiming = AlertTiming(), isDefault: Bool = false,
        line: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.severity = severity
        self.timing = timing
        self.isDefault = isDefault
        self.line = line
    }

    /// The kind's name as the site file writes it (`threshold`, `rate`, `offline`, …).
    public var kindName: String {
        switch kind {
        case .threshold: "threshold"
        case .rate: "rate"
        case .offline: "offline"
        case .stale: "stale"
        case .busOffline: "bus_offline"
        case .deviceStatus: "device_status"
        case .ledger: "ledger"
        case .door: "door"
        case .materialHumidity: "material_humidity"
        }
    }

    /// True for the no-data kinds (`offline`, `stale`, `bus_offline`), which a bus alert may inhibit.
    public var isNoData: Bool {
        switch kind {
        case .offline, .stale, .busOffline: true
        default: false
        }
    }
}
