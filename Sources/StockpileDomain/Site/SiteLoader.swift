import Foundation

/// Reads a site file and checks it, with file:line:field errors.
///
/// The format is documented in `docs/site-file.md`. Profiles named by devices are looked up
/// relative to the site file, then in each of the `profileDirectories` (the repository's
/// `Devices/`, an installed share directory), and loaded with `ProfileLoader`: a mistake in a
/// profile is reported at the profile's own file and line.
public enum SiteLoader {
    /// Loads and validates a site file.
    public static func load(
        file path: String, profileDirectories: [String]
    ) throws(ConfigurationError)
        -> SiteConfiguration
    {
        try parse(try YAMLField.text(ofFile: path), file: path, profileDirectories: profileDirectories)
    }

    /// Parses and validates a site file's text; `file` names it in errors and anchors relative profile paths.
    public static func parse(
        _ text: String, file: String, profileDirectories: [String]
    ) throws(ConfigurationError)
        -> SiteConfiguration
    {
        let root = try YAMLField.parse(text, file: file)
        try refuseLaterSections(root)
        // `alerts` is read by the alerting layer (`AlertConfigurationParser`), against this site.
        try root.allowOnly([
            "site", "data_directory", "store", "defaults", "tcp", "rtu", "devices", "locations", "alerts",
            "http",
        ])
        let siteField = try root.required("site")
        try siteField.allowOnly(["id", "name"])
        var site = SiteConfiguration(
            id: try identifier(try siteField.required("id")), name: try nonEmpty(try siteField.required("name")),
            dataDirectory: try nonEmpty(try root.required("data_directory")), file: file)
        if let store = try root.optional("store") { site.store = try parseStore(store) }
        if let http = try root.optional("http") { site.http = try HTTPSettingsParser.parse(http) }
        var defaults = DeviceDefaults()
        if let field = try root.optional("defaults") { defaults = try parseDefaults(field) }
        site.buses = try parseBuses(root)
        var parser = DeviceParser(
            buses: Dictionary(uniqueKeysWithValues: site.buses.map { ($0.name, $0) }), defaults: defaults,
            profileDirectories: profileDirectories)
        let devices = try root.required("devices")
        let items = try devices.items()
        if items.isEmpty { throw devices.error("a site needs at least one device") }
        for item in items { site.devices.append(try parser.parse(item)) }
        if let locations = try root.optional("locations") {
            site.manualLocations = try parseManualLocations(locations, weighed: site.devices)
        }
        return site
    }

    // MARK: - Manual locations

    /// `locations: [{name, capacity, division, class, zone}]`: places counted by hand, with the counting
    /// scale's metrology. A name is unique across scale bays and manual locations.
    private static func parseManualLocations(
        _ field: YAMLField, weighed devices: [SiteConfiguration.Device]
    )
        throws(ConfigurationError) -> [ManualLocation]
    {
        var taken: [String: String] = [:]
        for device in devices {
            if let location = device.location { taken[location.name] = "weighed by \(device.name)" }
        }
        var result: [ManualLocation] = []
        for item in try field.items() {
            try item.allowOnly(["name", "capacity", "division", "class", "zone"])
            let nameField = try item.required("name")
            let metrology = ScaleLocation(
                name: try identifier(nameField), capacity: try DeviceParser.positive(try item.required("capacity")),
                division: try DeviceParser.positive(try item.required("division")),
                accuracyClass: try item.required("class").choice(AccuracyClass.self))
            if let other = taken.updateValue(
                "declared at line \(item.line.map(String.init) ?? "?")", forKey: metrology.name)
            {
                throw nameField.error("the location name \"\(metrology.name)\" is already used (\(other))")
            }
            try DeviceParser.checkDivision(metrology, field: item)
            var location = ManualLocation(metrology: metrology, line: item.line)
            if let zone = try item.optional("zone") { location.zone = try identifier(zone) }
            result.append(location)
        }
        return result
    }

    /// Sections the roadmap brings later: refused by name, so nobody thinks they took effect.
    static let laterSections: [String: String] = [
        "ledger": "the ledger arrives with reconciliation (roadmap step 4)",
        "fleet": "fleets of sites arrive in roadmap step 7",
    ]

    private static func refuseLaterSections(_ root: YAMLField) throws(ConfigurationError) {
        guard let mapping = root.node.mapping else { throw root.error("expected a mapping of fields") }
        for key in mapping.keys {
            if let name = key.string, let reason = laterSections[name] {
                throw ConfigurationError(
                    file: root.file, line: key.mark?.line, field: name,
                    message: "not yet supported: \(reason); remove the section for now")
            }
        }
    }

    // MARK: - Store and defaults

    private static func parseStore(_ field: YAMLField) throws(ConfigurationError) -> SiteConfiguration.StoreSettings {
        try field.allowOnly(["raw_days", "aggregate_days", "flush_interval"])
        var store = SiteConfiguration.StoreSettings()
        let raw = try field.optional("raw_days")
        let aggregate = try field.optional("aggregate_days")
        if let raw { store.rawRetentionDays = try raw.int(in: 1...36_500) }
        if let aggregate { store.aggregateRetentionDays = try aggregate.int(in: 1...36_500) }
        if store.aggregateRetentionDays < store.rawRetentionDays {
            let message =
                "aggregates (\(store.aggregateRetentionDays) days) must be kept at least as long as raw readings "
                + "(\(store.rawRetentionDays) days)"
            throw (aggregate ?? raw ?? field).error(message)
        }
        if let flush = try field.optional("flush_interval") {
            store.flushInterval = try flush.duration(
                in: .milliseconds(10)...SiteConfiguration.StoreSettings.maximumFlushInterval)
        }
        return store
    }

    /// What a device gets for every field it leaves out.
    struct DeviceDefaults {
        var poll = PollSchedule(every: .seconds(5))
        var timeout: Duration = .seconds(1)
        var retries = 1
        var staleAfterCycles = 3
        var offlineAfter = 3
        var maximumQuarantine: Duration = .seconds(60)
        var lateAnswerGuard: Duration?
    }

    static let pollRange: ClosedRange<Duration> = .milliseconds(100)...Duration.seconds(86_400)
    static let timeoutRange: ClosedRange<Duration> = .milliseconds(10)...Duration.seconds(30)
    static let quarantineRange: ClosedRange<Duration> = .milliseconds(100)...Duration.seconds(3600)
    static let lateAnswerGuardRange: ClosedRange<Duration> = .zero...Duration.seconds(600)

    private static func parseDefaults(_ field: YAMLField) throws(ConfigurationError) -> DeviceDefaults {
        try field.allowOnly([
            "poll", "timeout", "retries", "stale_after_cycles", "offline_after", "quarantine_max", "late_answer_guard",
        ])
        var defaults = DeviceDefaults()
        if let poll = try field.optional("poll") { defaults.poll = try parsePoll(poll, every: defaults.poll.every) }
        if let timeout = try field.optional("timeout") { defaults.timeout = try timeout.duration(in: timeoutRange) }
        if let retries = try field.optional("retries") { defaults.retries = try retries.int(in: 0...10) }
        if let stale = try field.optional("stale_after_cycles") {
            defaults.staleAfterCycles = try stale.int(in: 1...100)
        }
        if let offline = try field.optional("offline_after") { defaults.offlineAfter = try offline.int(in: 1...100) }
        if let quarantine = try field.optional("quarantine_max") {
            defaults.maximumQuarantine = try quarantine.duration(in: quarantineRange)
        }
        if let guardField = try field.optional("late_answer_guard") {
            defaults.lateAnswerGuard = try guardField.duration(in: lateAnswerGuardRange)
        }
        return defaults
    }

    /// `1s` (every class at 1 s, identity once), or `{every: 1s, status: 5s, identity: once}`.
    static func parsePoll(_ field: YAMLField, every fallback: Duration) throws(ConfigurationError) -> PollSchedule {
        if field.node.scalar != nil { return PollSchedule(every: try field.duration(in: pollRange)) }
        let classes = ProfilePoint.PointClass.allCases.map(\.rawValue)
        try field.allowOnly(Set(classes + ["every"]))
        var schedule = PollSchedule(every: try field.optional("every")?.duration(in: pollRange) ?? fallback)
        for (key, value) in try field.entries() {
            guard let pointClass = ProfilePoint.PointClass(rawValue: key) else { continue }
            schedule.overrides[pointClass] =
                value.node.scalar?.string == "once" ? .once : .every(try value.duration(in: pollRange))
        }
        return schedule
    }

    // MARK: - Buses

    private static func parseBuses(_ root: YAMLField) throws(ConfigurationError) -> [SiteConfiguration.Bus] {
        var buses: [SiteConfiguration.Bus] = []
        var names: Set<String> = []
        func claim(_ item: YAMLField) throws(ConfigurationError) -> String {
            let field = try item.required("name")
            let busName = try identifier(field)
            guard names.insert(busName).inserted else { throw field.error("the bus name \"\(busName)\" is used twice") }
            return busName
        }
        var addresses: [String: String] = [:]
        var serialDevices: [String: String] = [:]
        if let tcp = try root.optional("tcp") {
            for item in try tcp.items() {
                try item.allowOnly([
                    "name", "host", "port", "connections", "pause_after_connect", "pause_between_requests",
                ])
                var endpoint = SiteConfiguration.TCPEndpoint(
                    name: try claim(item), host: try nonEmpty(try item.required("host")), line: item.line)
                if let port = try item.optional("port") { endpoint.port = try port.int(in: 1...65535) }
                if let connections = try item.optional("connections") {
                    endpoint.connections = try connections.int(in: 1...16)
                }
                if let pause = try item.optional("pause_after_connect") {
                    endpoint.pauseAfterConnect = try pause.duration(in: .zero...Duration.seconds(10))
                }
                if let pause = try item.optional("pause_between_requests") {
                    endpoint.pauseBetweenRequests = try pause.duration(in: .zero...Duration.seconds(10))
                }
                if let other = addresses.updateValue(endpoint.name, forKey: endpoint.address) {
                    throw item.error("\(endpoint.address) is already bus \(other): one endpoint is one bus")
                }
                buses.append(.tcp(endpoint))
            }
        }
        if let rtu = try root.optional("rtu") {
            for item in try rtu.items() {
                try buses.append(.rtu(parseLine(item, name: try claim(item), devices: &serialDevices)))
            }
        }
        if buses.isEmpty { throw root.error("a site needs at least one bus under `tcp` or `rtu`") }
        return buses
    }

    private static func parseLine(
        _ item: YAMLField, name: String, devices: inout [String: String]
    )
        throws(ConfigurationError) -> SiteConfiguration.RTULine
    {
        try item.allowOnly(["name", "device", "baud", "parity", "data_bits", "stop_bits", "inter_frame_delay", "rs485"])
        let deviceField = try item.required("device")
        var line = SiteConfiguration.RTULine(name: name, device: try nonEmpty(deviceField), line: item.line)
        if let other = devices.updateValue(name, forKey: line.device) {
            throw deviceField.error("\(line.device) is already bus \(other): one serial line is one bus")
        }
        if let baud = try item.optional("baud") {
            line.baud = try baud.int()
            guard SiteConfiguration.RTULine.standardBauds.contains(line.baud) else {
                let choices = SiteConfiguration.RTULine.standardBauds.map(String.init).joined(separator: ", ")
                throw baud.error("\(line.baud) is not a standard serial speed (use \(choices))")
            }
        }
        if let parity = try item.optional("parity") {
            line.parity = try parity.choice(SiteConfiguration.RTULine.Parity.self)
        }
        if let bits = try item.optional("data_bits") {
            guard try bits.int() == 8 else {
                throw bits.error("Modbus RTU sends 8 data bits (7 is Modbus ASCII, which Stockpile does not speak)")
            }
        }
        if let bits = try item.optional("stop_bits") { line.stopBits = try bits.int(in: 1...2) }
        if let delay = try item.optional("inter_frame_delay") {
            line.interFrameDelay = try delay.duration(in: .zero...Duration.seconds(1))
        }
        if let rs485 = try item.optional("rs485") { line.rs485 = try rs485.bool() }
        return line
    }

    // MARK: - Scalars

    /// Non-empty text.
    static func nonEmpty(_ field: YAMLField) throws(ConfigurationError) -> String {
        let value = try field.string()
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw field.error("must not be empty") }
        return value
    }

    /// A name used as a key (site id, bus, device, location, zone): letters, digits, `.`, `_`, `-`.
    static func identifier(_ field: YAMLField) throws(ConfigurationError) -> String {
        let value = try field.string()
        let allowed = value.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
        }
        guard let first = value.unicodeScalars.first, CharacterSet.alphanumerics.contains(first), allowed,
            value.count <= 64
        else {
            throw field.error(
                "\"\(value)\" is not a usable name "
                    + "(up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit)")
        }
        return value
    }
}
