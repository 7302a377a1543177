import Foundation
public import StockpileDomain

/// Reads a scenario file and checks it, with file:line:field errors.
///
/// Profiles named by devices are looked up relative to the scenario file, then in each of the
/// `profileDirectories` (the repository's `Devices/`, an installed share directory).
public struct ScenarioLoader: Sendable {
    public var profileDirectories: [String]

    public init(profileDirectories: [String]) {
        self.profileDirectories = profileDirectories
    }

    /// The parameters each model understands, each with the range its model can take; anything
    /// else is a typo and refused, and a value outside its range is refused at its line.
    public static let modelParameterRanges: [SimulatedDevice.ModelKind: [String: ClosedRange<Double>]] = [
        .scale: [
            "capacity": 0.001...1e9, "division": 1e-6...1e6, "noise_divisions": 0...100, "settling_s": 0...3600,
            "creep_kg_per_h": -1e6...1e6, "load": 0...1e9, "loss_kg_per_h": -1e6...1e6, "tare": 0...1e9,
        ],
        .environment: [
            "temperature": -100...200, "temperature_amplitude": 0...100, "temperature_noise": 0...50,
            "humidity": 0...100, "humidity_amplitude": 0...100, "humidity_noise": 0...50,
            "co2": 0...100_000, "co2_noise": 0...10_000, "dose_rate": 0...1e6, "dose_rate_noise": 0...1e6,
            "start_hour": 0...24,
        ],
        .io: ["doors_open": 0...255],
    ]

    /// The parameters each model understands; anything else is a typo and refused.
    public static var modelParameters: [SimulatedDevice.ModelKind: Set<String>] {
        modelParameterRanges.mapValues { Set($0.keys) }
    }

    /// The most divisions a scale may have (capacity ÷ division): beyond it no indicator exists and
    /// the model's counts stop being exact.
    static let maximumDivisions = 10_000_000.0

    public func load(file path: String) throws(ConfigurationError) -> Scenario {
        try parse(try YAMLField.text(ofFile: path), file: path)
    }

    public func parse(_ text: String, file: String) throws(ConfigurationError) -> Scenario {
        let root = try YAMLField.parse(text, file: file)
        try root.allowOnly(["name", "seed", "step", "tcp", "rtu", "devices", "timeline"])
        var scenario = Scenario(name: try root.required("name").string(), file: file)
        if let seed = try root.optional("seed") { scenario.seed = UInt64(try seed.int(in: 0...Int.max)) }
        if let step = try root.optional("step") {
            scenario.step = try step.duration()
            guard scenario.step >= 0.001, scenario.step <= 10 else { throw step.error("a step is 1ms–10s") }
        }
        var transportNames: Set<String> = []
        if let tcp = try root.optional("tcp") {
            var ports: Set<Int> = []
            for item in try tcp.items() {
                try item.allowOnly(["name", "host", "port", "unknown_unit"])
                let name = try uniqueName(item, in: &transportNames)
                let port = try item.optional("port")?.int(in: 0...65535) ?? 0
                if port != 0, !ports.insert(port).inserted {
                    throw try item.required("port").error("port \(port) is listed twice")
                }
                var endpoint = Scenario.TCPEndpoint(name: name, port: port, line: item.line)
                if let host = try item.optional("host") { endpoint.host = try host.string() }
                if let unknown = try item.optional("unknown_unit") {
                    switch try unknown.string() {
                    case "exception": endpoint.unknownUnitSilent = false
                    case "silence": endpoint.unknownUnitSilent = true
                    case let other: throw unknown.error("unknown value \"\(other)\" (use exception or silence)")
                    }
                }
                scenario.tcpEndpoints.append(endpoint)
            }
        }
        if let rtu = try root.optional("rtu") {
            for item in try rtu.items() {
                try item.allowOnly(["name", "link", "baud", "parity", "pace"])
                var line = Scenario.RTULine(name: try uniqueName(item, in: &transportNames), line: item.line)
                line.link = try item.optional("link")?.string()
                if let baud = try item.optional("baud") { line.baud = try baud.int(in: 300...1_000_000) }
                if let parity = try item.optional("parity") {
                    line.parity = try parity.string()
                    guard ["N", "E", "O"].contains(line.parity) else { throw parity.error("parity is N, E or O") }
                }
                if let pace = try item.optional("pace") {
                    let text = try pace.string()
                    guard let value = Scenario.RTULine.Pace(rawValue: text) else {
                        throw pace.error("unknown value \"\(text)\" (use wire or none)")
                    }
                    line.pace = value
                }
                scenario.rtuLines.append(line)
            }
        }
        guard !transportNames.isEmpty else {
            throw root.error("a scenario needs at least one transport under `tcp` or `rtu`")
        }
        var profiles: [String: DeviceProfile] = [:]
        var deviceNames: Set<String> = []
        var unitsOnTransport: [String: [UInt8: String]] = [:]
        for item in try root.required("devices").items() {
            let device = try parseDevice(item, transports: transportNames, profiles: &profiles)
            guard deviceNames.insert(device.name).inserted else {
                throw try item.required("name").error("the device name \"\(device.name)\" is used twice")
            }
            for transport in device.transports {
                if let other = unitsOnTransport[transport]?[device.unit] {
                    throw try item.required("unit").error(
                        "unit \(device.unit) is already used by \(other) on \(transport)")
                }
                unitsOnTransport[transport, default: [:]][device.unit] = device.name
            }
            scenario.devices.append(device)
        }
        if let timeline = try root.optional("timeline") {
            let models = Dictionary(uniqueKeysWithValues: scenario.devices.map { ($0.name, $0.model) })
            for item in try timeline.items() {
                scenario.timeline.append(try Self.parseEntry(item, models: models))
            }
            scenario.timeline.sort { $0.at < $1.at }
        }
        return scenario
    }

    private func uniqueName(_ item: YAMLField, in names: inout Set<String>) throws(ConfigurationError) -> String {
        let field = try item.required("name")
        let name = try field.string()
        guard names.insert(name).inserted else { throw field.error("the transport name \"\(name)\" is used twice") }
        return name
    }

    private func parseDevice(
        _ item: YAMLField, transports: Set<String>, profiles: inout [String: DeviceProfile]
    ) throws(ConfigurationError) -> SimulatedDevice {
        try item.allowOnly(["name", "profile", "transport", "unit", "model", "parameters", "label", "accuracy_class"])
        let profileField = try item.required("profile")
        let profilePath = try ProfileLocator.resolve(
            try profileField.string(), field: profileField, directories: profileDirectories)
        let profile: DeviceProfile
        if let cached = profiles[profilePath] {
            profile = cached
        } else {
            profile = try ProfileLoader.load(file: profilePath)
            profiles[profilePath] = profile
        }
        let transportField = try item.required("transport")
        let names = try transportField.strings()
        for name in names where !transports.contains(name) {
            throw transportField.error(
                "no transport named \"\(name)\" (declared: \(transports.sorted().joined(separator: ", ")))")
        }
        let modelField = try item.required("model")
        let model = try modelField.choice(SimulatedDevice.ModelKind.self)
        var device = SimulatedDevice(
            name: try item.required("name").string(), profile: profile, transports: names,
            unit: UInt8(try item.required("unit").int(in: 1...247)), model: model, line: item.line)
        device.label = try item.optional("label")?.string()
        if let accuracy = try item.optional("accuracy_class") {
            guard model == .scale else { throw accuracy.error("an accuracy class belongs to a scale") }
            let text = try accuracy.string()
            guard ["I", "II", "III", "IIII"].contains(text) else { throw accuracy.error("use I, II, III or IIII") }
            device.accuracyClass = text
        }
        if let parameters = try item.optional("parameters") {
            let ranges = Self.modelParameterRanges[model] ?? [:]
            try parameters.allowOnly(Set(ranges.keys))
            for (key, value) in try parameters.entries() {
                device.parameters[key] = try value.double(in: ranges[key] ?? 0...0)
            }
            if model == .scale { try Self.checkScale(device.parameters, parameters) }
            if model == .io, let mask = device.parameters["doors_open"], mask != mask.rounded() {
                throw try parameters.required("doors_open").error("a bit mask is a whole number")
            }
        }
        return device
    }

    /// A division must fit the capacity a whole number of times, as on a real indicator's plate.
    private static func checkScale(_ values: [String: Double], _ parameters: YAMLField) throws(ConfigurationError) {
        let defaults = ScaleModel.Configuration()
        let capacity = values["capacity"] ?? defaults.capacity
        let division = values["division"] ?? defaults.division
        let field: YAMLField
        if let division = try parameters.optional("division") {
            field = division
        } else if let capacity = try parameters.optional("capacity") {
            field = capacity
        } else {
            field = parameters
        }
        let divisions = capacity / division
        guard division <= capacity else {
            throw field.error("division \(division) is larger than the capacity \(capacity)")
        }
        guard divisions <= maximumDivisions else {
            throw field.error("capacity ÷ division is \(divisions), more than \(Int(maximumDivisions)) divisions")
        }
        guard abs(divisions - divisions.rounded()) <= 1e-6 * divisions else {
            throw field.error("division \(division) does not divide the capacity \(capacity) a whole number of times")
        }
    }

    /// The fields a timeline entry may have; a control-channel body takes the same, less `at` and
    /// `device` (the route names the device, and it happens now).
    public static let eventFields: Set<String> = [
        "at", "device", "event", "fault", "kg", "kg_per_h", "door", "target", "ramp", "hold", "code", "duration",
        "requests",
        "delay", "jitter", "probability",
    ]

    static func parseEntry(
        _ item: YAMLField, models: [String: SimulatedDevice.ModelKind]
    ) throws(ConfigurationError)
        -> TimelineEntry
    {
        try item.allowOnly(eventFields)
        let deviceField = try item.required("device")
        let device = try deviceField.string()
        guard let model = models[device] else { throw deviceField.error("no device named \"\(device)\"") }
        let at = try item.required("at").duration()
        let event = try item.optional("event")
        let fault = try item.optional("fault")
        guard (event == nil) != (fault == nil) else { throw item.error("an entry has either `event` or `fault`") }
        if let event {
            let action = try parseEvent(event, item: item, model: model)
            return TimelineEntry(at: at, device: device, action: action, line: item.line)
        }
        return TimelineEntry(
            at: at, device: device, action: .fault(try parseFault(fault!, item: item)), line: item.line)
    }

    /// Parses an event by name and its fields; shared with the control channel's JSON form.
    public static func parseEvent(
        _ field: YAMLField, item: YAMLField, model: SimulatedDevice.ModelKind
    ) throws(ConfigurationError)
        -> TimelineEntry.Action
    {
        let name = try field.string()
        func requireModel(_ expected: SimulatedDevice.ModelKind) throws(ConfigurationError) {
            guard model == expected else {
                throw field.error("\(name) applies to a \(expected) device, this one is \(model)")
            }
        }
        switch name {
        case "add_load", "remove_load", "set_load":
            try requireModel(.scale)
            let kgField = try item.required("kg")
            let kg = try kgField.double()
            guard kg >= 0 else { throw kgField.error("give the mass as a positive number") }
            _ = try kgField.double(in: 0...1e9)
            return .event(name == "set_load" ? .setLoad(kg) : .addLoad(name == "add_load" ? kg : -kg))
        case "gradual_loss":
            try requireModel(.scale)
            return .event(.gradualLoss(try item.required("kg_per_h").double(in: -1e6...1e6)))
        case "device_error":
            try requireModel(.scale)
            return .event(.deviceError(try item.optional("code")?.int(in: 1...7) ?? 1))
        case "clear_device_error":
            return .event(.clearDeviceError)
        case "door_open", "door_close":
            try requireModel(.io)
            let door = try item.required("door").int(in: 1...8)
            return .event(name == "door_open" ? .doorOpen(door) : .doorClose(door))
        case "humidity_excursion":
            try requireModel(.environment)
            let target = try item.required("target").double()
            guard (0...100).contains(target) else { throw try item.required("target").error("humidity is 0–100 %RH") }
            return .event(
                .humidityExcursion(
                    target: target, ramp: try item.required("ramp").duration(),
                    hold: try item.required("hold").duration()))
        case "clear_faults":
            return .clearFaults
        default:
            throw field.error(
                "unknown event \"\(name)\" (use add_load, remove_load, set_load, gradual_loss, door_open, door_close, humidity_excursion, device_error, clear_device_error, clear_faults)"
            )
        }
    }

    /// Parses a fault kind and its expiry; shared with the control channel's JSON form.
    public static func parseFault(_ field: YAMLField, item: YAMLField) throws(ConfigurationError) -> Fault {
        let name = try field.string()
        let kind: Fault.Kind
        switch name {
        case "offline": kind = .offline
        case "slow":
            kind = .slow(
                delay: try item.required("delay").duration(), jitter: try item.optional("jitter")?.duration() ?? 0)
        case "exception":
            let probability = try item.optional("probability")?.double(in: 0...1) ?? 1
            guard (0...1).contains(probability) else {
                throw try item.required("probability").error("a probability is 0–1")
            }
            kind = .exception(code: UInt8(try item.required("code").int(in: 1...11)), probability: probability)
        case "bad_crc": kind = .badCRC
        case "truncated": kind = .truncated
        case "drop_connection": kind = .dropConnection
        case "wrong_unit": kind = .wrongUnit
        default:
            throw field.error(
                "unknown fault \"\(name)\" (use offline, slow, exception, bad_crc, truncated, drop_connection, wrong_unit)"
            )
        }
        let duration = try item.optional("duration")?.duration()
        let requests = try item.optional("requests")?.int(in: 1...Int(Int32.max))
        return Fault(kind: kind, duration: duration, requests: requests)
    }
}
