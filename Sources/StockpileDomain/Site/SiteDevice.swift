extension SiteConfiguration {
    /// One device the agent polls: which profile decodes it, where it answers, how often, and what
    /// it stands for in the warehouse (a scale's location, a sensor's zone).
    public struct Device: Hashable, Sendable {
        public var name: String
        /// What people call it (the lot on the scale, the air a sensor measures).
        public var label: String?
        public var profile: DeviceProfile
        /// The profile file as found (relative to the site file or a profile directory).
        public var profilePath: String
        /// The name of the bus it answers on.
        public var bus: String
        /// The Modbus unit id (slave id).
        public var unit: UInt8
        public var poll: PollSchedule
        /// How long to wait for one response.
        public var timeout: Duration
        /// Further attempts at a failed request within one cycle.
        public var retries: Int
        /// Cycles without a fresh value after which a held value turns `stale`.
        public var staleAfterCycles: Int
        /// Polls in a row without any answer after which the device is `offline` and quarantined.
        public var offlineAfter: Int
        /// The longest back-off between two probes of a quarantined device.
        public var maximumQuarantine: Duration
        /// How long the device is not asked again on a serial line after it failed to answer in
        /// time, since its late answer could be taken for the next one's; nil: the client's rule
        /// (four timeouts, at least 2 s).
        public var lateAnswerGuard: Duration?
        /// The bay a scale weighs, with the scale's metrology; scales only.
        public var location: ScaleLocation?
        /// The area a sensor measures (required for environment and radiation sensors; optional otherwise).
        public var zone: String?
        /// The profile commands the agent may write to this device. Empty: the agent never writes to it.
        public var commands: [ProfileCommand]
        /// The line in the site file, for messages.
        public var line: Int?

        public init(
            name: String, label: String? = nil, profile: DeviceProfile, profilePath: String, bus: String, unit: UInt8,
            poll: PollSchedule, timeout: Duration = .seconds(1), retries: Int = 1, staleAfterCycles: Int = 3,
            offlineAfter: Int = 3, maximumQuarantine: Duration = .seconds(60),
            location: ScaleLocation? = nil, zone: String? = nil, commands: [ProfileCommand] = [], line: Int? = nil
        ) {
            self.name = name
            self.label = label
            self.profile = profile
            self.profilePath = profilePath
            self.bus = bus
            self.unit = unit
            self.poll = poll
            self.timeout = timeout
            self.retries = retries
            self.staleAfterCycles = staleAfterCycles
            self.offlineAfter = offlineAfter
            self.maximumQuarantine = maximumQuarantine
            self.location = location
            self.zone = zone
            self.commands = commands
            self.line = line
        }

        /// The enabled command with this name; nil when the site file does not enable it.
        public func command(named name: String) -> ProfileCommand? {
            commands.first { $0.name == name }
        }
    }
}
