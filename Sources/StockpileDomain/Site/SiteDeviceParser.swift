import Foundation

extension SiteLoader {
    /// Parses the `devices` list one entry at a time, remembering what the entries before claimed:
    /// device names, unit ids per bus, locations; and caching each profile file loaded.
    struct DeviceParser {
        let buses: [String: SiteConfiguration.Bus]
        let defaults: DeviceDefaults
        let profileDirectories: [String]
        private var profiles: [String: DeviceProfile] = [:]
        private var deviceNames: Set<String> = []
        private var unitsOnBus: [String: [UInt8: String]] = [:]
        private var locations: [String: String] = [:]

        init(buses: [String: SiteConfiguration.Bus], defaults: DeviceDefaults, profileDirectories: [String]) {
            self.buses = buses
            self.defaults = defaults
            self.profileDirectories = profileDirectories
        }

        static let fields: Set<String> = [
            "name", "label", "profile", "bus", "unit", "poll", "timeout", "retries", "stale_after_cycles",
            "offline_after", "quarantine_max", "late_answer_guard", "location",
            "zone", "commands",
        ]

        mutating func parse(_ item: YAMLField) throws(ConfigurationError) -> SiteConfiguration.Device {
            try item.allowOnly(Self.fields)
            let nameField = try item.required("name")
            let name = try SiteLoader.identifier(nameField)
            guard deviceNames.insert(name).inserted else {
                throw nameField.error("the device name \"\(name)\" is used twice")
            }
            let profileField = try item.required("profile")
            let (profile, profilePath) = try loadProfile(profileField)
            let busField = try item.required("bus")
            let busName = try busField.string()
            guard let bus = buses[busName] else {
                throw busField.error(
                    "no bus named \"\(busName)\" (declared: \(buses.keys.sorted().joined(separator: ", ")))")
            }
            let unitField = try item.required("unit")
            let unit = try Self.unit(unitField, on: bus)
            if let other = unitsOnBus[busName]?[unit] {
                throw unitField.error("unit \(unit) is already used by \(other) on \(busName)")
            }
            unitsOnBus[busName, default: [:]][unit] = name
            var device = SiteConfiguration.Device(
                name: name, label: try item.optional("label")?.string(), profile: profile, profilePath: profilePath,
                bus: busName, unit: unit, poll: defaults.poll, timeout: defaults.timeout, retries: defaults.retries,
                staleAfterCycles: defaults.staleAfterCycles, offlineAfter: defaults.offlineAfter,
                maximumQuarantine: defaults.maximumQuarantine, line: item.line)
            device.lateAnswerGuard = defaults.lateAnswerGuard
            if let poll = try item.optional("poll") {
                device.poll = try SiteLoader.parsePoll(poll, every: defaults.poll.every)
            }
            if let timeout = try item.optional("timeout") {
                device.timeout = try timeout.duration(in: SiteLoader.timeoutRange)
            }
            if let retries = try item.optional("retries") { device.retries = try retries.int(in: 0...10) }
            if let stale = try item.optional("stale_after_cycles") {
                device.staleAfterCycles = try stale.int(in: 1...100)
            }
            if let offline = try item.optional("offline_after") { device.offlineAfter = try offline.int(in: 1...100) }
            if let quarantine = try item.optional("quarantine_max") {
                device.maximumQuarantine = try quarantine.duration(in: SiteLoader.quarantineRange)
            }
            if let guardField = try item.optional("late_answer_guard") {
                device.lateAnswerGuard = try guardField.duration(in: SiteLoader.lateAnswerGuardRange)
            }
            device.location = try location(item, device: device)
            device.zone = try zone(item, kind: profile.kind)
            if let commands = try item.optional("commands") {
                device.commands = try Self.commands(commands, profile: profile, named: try profileField.string())
            }
            return device
        }

        // MARK: Profile

        private mutating func loadProfile(_ field: YAMLField) throws(ConfigurationError) -> (DeviceProfile, String) {
            let path = try resolve(try field.string(), field: field)
            if let cached = profiles[path] { return (cached, path) }
            let profile = try ProfileLoader.load(file: path)
            profiles[path] = profile
            return (profile, path)
        }

        /// The profile's path: relative to the site file, then to each profile directory.
        private func resolve(_ name: String, field: YAMLField) throws(ConfigurationError) -> String {
            try ProfileLocator.resolve(name, field: field, directories: profileDirectories)
        }

        // MARK: Unit

        /// 1–247 on a serial line (0 is broadcast); 0–247 or 255 on TCP, where gateways route by unit id.
        private static func unit(_ field: YAMLField, on bus: SiteConfiguration.Bus) throws(ConfigurationError) -> UInt8
        {
            let value = try field.int()
            switch bus {
            case .rtu:
                guard (1...247).contains(value) else {
                    throw field.error("a unit id on an RTU line is 1–247 (0 is broadcast), found \(value)")
                }
            case .tcp:
                guard (0...247).contains(value) || value == 255 else {
                    throw field.error("a unit id on TCP is 0–247 or 255, found \(value)")
                }
            }
            return UInt8(value)
        }

        // MARK: Location and zone

        private mutating func location(
            _ item: YAMLField, device: SiteConfiguration.Device
        ) throws(ConfigurationError)
            -> ScaleLocation?
        {
            let field = try item.optional("location")
            guard device.profile.kind == .scale else {
                if let field {
                    throw field.error(
                        "only a scale has a location; this device's profile is kind \(device.profile.kind) (use zone)")
                }
                return nil
            }
            guard let field else {
                throw ConfigurationError(
                    file: item.file, line: item.line, field: "\(item.path).location",
                    message: "a scale needs a location: {name, capacity, division, class}")
            }
            try field.allowOnly(["name", "capacity", "division", "class"])
            let nameField = try field.required("name")
            let location = ScaleLocation(
                name: try SiteLoader.identifier(nameField), capacity: try Self.positive(try field.required("capacity")),
                division: try Self.positive(try field.required("division")),
                accuracyClass: try field.required("class").choice(AccuracyClass.self))
            if let other = locations.updateValue(device.name, forKey: location.name) {
                throw nameField.error("location \(location.name) is already weighed by \(other)")
            }
            try Self.checkDivision(location, field: field)
            return location
        }

        static func positive(_ field: YAMLField) throws(ConfigurationError) -> Double {
            let value = try field.double()
            guard value > 0, value.isFinite else { throw field.error("must be a positive number") }
            return value
        }

        /// d is 1, 2 or 5 × 10^k; Max is a whole number of divisions, 100 to 100,000 of them.
        static func checkDivision(_ location: ScaleLocation, field: YAMLField) throws(ConfigurationError) {
            let divisionField = try field.required("division")
            let division = location.division
            let mantissa = division / pow(10, floor(log10(division)))
            guard [1.0, 2, 5, 10].contains(where: { abs(mantissa - $0) < 1e-9 }) else {
                throw divisionField.error(
                    "a division is 1, 2 or 5 × a power of ten (… 0.5, 1, 2, 5, 10 …), found \(format(division))")
            }
            let ratio = location.capacity / division
            guard abs(ratio - ratio.rounded()) < 1e-6 * max(1, ratio) else {
                throw try field.required("capacity").error(
                    "\(format(location.capacity)) is not a whole number of divisions of \(format(division))")
            }
            let count = location.divisions
            let quotient = "\(format(location.capacity)) / \(format(division)) is \(count) divisions"
            guard count <= 100_000 else {
                throw divisionField.error(
                    "\(quotient); a scale has at most 100000 (is the division in the weight unit?)")
            }
            guard count >= 100 else { throw divisionField.error("\(quotient); a scale has at least 100") }
        }

        /// 5000, 0.5: a number as a person writes it.
        static func format(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        }

        private func zone(_ item: YAMLField, kind: DeviceProfile.Kind) throws(ConfigurationError) -> String? {
            if let field = try item.optional("zone") { return try SiteLoader.identifier(field) }
            switch kind {
            case .environment, .radiation:
                let sensor = kind == .environment ? "an environment sensor" : "a radiation sensor"
                throw ConfigurationError(
                    file: item.file, line: item.line, field: "\(item.path).zone",
                    message: "\(sensor) needs a zone (the area it measures)")
            case .scale, .io, .other:
                return nil
            }
        }

        // MARK: Writes

        /// The commands enabled for writing; each must exist in the profile.
        private static func commands(
            _ field: YAMLField, profile: DeviceProfile, named profileName: String
        )
            throws(ConfigurationError)
            -> [ProfileCommand]
        {
            let items = field.node.sequence != nil ? try field.items() : [field]
            var enabled: [ProfileCommand] = []
            for item in items {
                let name = try item.string()
                guard let command = profile.commands.first(where: { $0.name == name }) else {
                    let known = profile.commands.map(\.name)
                    let has = known.isEmpty ? "it has none" : "it has: \(known.joined(separator: ", "))"
                    throw item.error("the profile \(profileName) has no command \"\(name)\" (\(has))")
                }
                guard !enabled.contains(command) else { throw item.error("the command \"\(name)\" is listed twice") }
                enabled.append(command)
            }
            return enabled
        }
    }
}
