/// A site's alerting: its rules (defaults included), receivers, beacon, and what it needs to know
/// of the site to label an alert (each device's bus, zone and location).
///
/// Read from the site file's `alerts` section by `AlertConfigurationParser`; the format is in
/// `docs/alerts.md`. A site without the section still gets the defaults and the log receiver.
public struct AlertConfiguration: Hashable, Sendable {
    /// Where a device sits, for labels and for bus-level no-data.
    public struct DeviceContext: Hashable, Sendable {
        /// The bus it answers on.
        public var bus: String
        /// The zone it is in, if any.
        public var zone: String?
        /// The scale location it weighs, for scales.
        public var location: String?

        /// A device's place in the site.
        public init(bus: String, zone: String? = nil, location: String? = nil) {
            self.bus = bus
            self.zone = zone
            self.location = location
        }
    }

    /// Where a ledger location is: its zone, and the scale that weighs it (none for a manual location).
    public struct LocationContext: Hashable, Sendable {
        /// The zone it is in, if any.
        public var zone: String?
        /// The scale that weighs it; nil for a manual location.
        public var device: String?

        /// A location's place in the site.
        public init(zone: String? = nil, device: String? = nil) {
            self.zone = zone
            self.device = device
        }
    }

    /// The coil the alerts switch on while a critical alert fires unacknowledged: their only device write.
    public struct Beacon: Hashable, Sendable {
        /// The device with the coil.
        public var device: String
        /// The profile's coil point (`beacon`).
        public var coil: String
        /// The coil's wire address, from the profile.
        public var address: Int

        /// A beacon coil of a device.
        public init(device: String, coil: String, address: Int) {
            self.device = device
            self.coil = coil
            self.address = address
        }
    }

    /// Every rule in force, defaults first (in the order of `AlertDefaults.names`), then the site's in file order.
    public var rules: [AlertRule]
    /// Every receiver, `log` first.
    public var receivers: [AlertReceiver]
    /// The beacon coil, if the site names one.
    public var beacon: Beacon?
    /// Each device of the site by name.
    public var devices: [String: DeviceContext]
    /// The devices on each bus, in file order.
    public var busDevices: [String: [String]]
    /// Every ledger location (scale bays and manual locations) by name.
    public var locations: [String: LocationContext]
    /// The site id, labelled `site` on every alert.
    public var site: String
    /// The agent's own URL (dashboard), for `externalURL` and `generatorURL` in payloads; empty when unset.
    public var externalURL: String

    /// A configuration from its parts.
    public init(
        rules: [AlertRule], receivers: [AlertReceiver] = [AlertReceiver.log], beacon: Beacon? = nil,
        devices: [String: DeviceContext] = [:], busDevices: [String: [String]] = [:],
        locations: [String: LocationContext] = [:], site: String = "",
        externalURL: String = ""
    ) {
        self.rules = rules
        self.receivers = receivers
        self.beacon = beacon
        self.devices = devices
        self.busDevices = busDevices
        self.locations = locations
        self.site = site
        self.externalURL = externalURL
    }

    /// The rules with this name (a threshold rule has one per level).
    public func rules(named name: String) -> [AlertRule] {
        rules.filter { $0.name == name }
    }

    /// The receiver with this name.
    public func receiver(named name: String) -> AlertReceiver? {
        receivers.first { $0.name == name }
    }
}

extension AlertReceiver {
    /// The receiver every site has: every transition, one log line each, no grouping or retries.
    public static let log = AlertReceiver(
        name: "log", kind: .log, policy: NotificationPolicy(groupBy: [NotificationPolicy.everyLabel], groupWait: .zero))
}
