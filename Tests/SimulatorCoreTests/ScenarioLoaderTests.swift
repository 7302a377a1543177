import Foundation
import Testing
import SimulatorCore
import StockpileDomain
import StockpileTestSupport

@Suite("Loading scenarios")
struct ScenarioLoaderTests {
    let loader = ScenarioLoader(profileDirectories: [repository.appendingPathComponent("Devices").path])

    func load(_ relative: String) throws -> Scenario {
        try loader.load(file: repository.appendingPathComponent(relative).path)
    }

    @Test("the demo warehouse has six scales, two climate profiles, a dose probe, an IO module and three RTU devices")
    func demo() throws {
        let scenario = try load("Simulators/demo-warehouse/scenario.yaml")
        let scales = scenario.devices.filter { $0.model == .scale }
        #expect(scales.count == 6)
        #expect(scales.allSatisfy { $0.parameters["capacity"] == 5000 && $0.parameters["division"] == 1 })
        let climateProfiles = Set(scenario.devices.filter { $0.profile.kind == .environment }.map(\.profile.model))
        #expect(climateProfiles.count >= 2)
        #expect(scenario.devices.contains { $0.profile.kind == .radiation })
        #expect(scenario.devices.contains { $0.profile.kind == .io })
        #expect(scenario.devices.filter { $0.transports == ["line1"] }.count == 3)
        #expect(scenario.timeline.contains { $0.action == .event(.addLoad(-25)) && $0.device == "bay-b1-scale" })
        #expect(
            scenario.timeline.contains { $0.action == .event(.humidityExcursion(target: 70, ramp: 300, hold: 1200)) })
        #expect(
            scenario.timeline.contains {
                if case .fault(let f) = $0.action { f.kind == .offline && f.duration == 180 } else { false }
            })
        #expect(scenario.timeline.contains { if case .fault(let f) = $0.action { f.name == "slow" } else { false } })
        // The moisture story: bay B2 gains 2 kg (20 kg/h for 6 min) while bay B is above 60 %RH.
        #expect(
            scenario.timeline.filter { $0.device == "bay-b2-scale" }.map(\.action) == [
                .event(.gradualLoss(-20)), .event(.gradualLoss(0)),
            ])
        #expect(scenario.timeline.filter { $0.device == "bay-b2-scale" }.map(\.at) == [420, 780])
        #expect(scenario.timeline.map(\.at) == scenario.timeline.map(\.at).sorted())
    }

    @Test("faults.yaml has every fault kind once, and soak.yaml 200 devices")
    func faultsAndSoak() throws {
        let faults = try load("Simulators/faults.yaml")
        let kinds = faults.timeline.compactMap { if case .fault(let fault) = $0.action { fault.name } else { nil } }
        #expect(
            Set(kinds) == ["offline", "slow", "exception", "bad_crc", "truncated", "drop_connection", "wrong_unit"])
        #expect(kinds.count == 7)
        #expect(try load("Simulators/soak.yaml").devices.count == 200)
    }

    static let base = """
        name: t
        tcp:
          - {name: main, port: 0}
        rtu:
          - {name: line1}
        devices:
          - name: a
            profile: sensors/xy-md02.yaml
            transport: line1
            unit: 2
            model: environment
          - name: b
            profile: sensors/xy-md02.yaml
            transport: line1
            unit: 3
            model: environment
        timeline:
          - {at: 10s, device: a, fault: offline, duration: 1m}
        """

    func loadError(_ old: String, _ new: String) -> ConfigurationError? {
        let text = Self.base.replacingOccurrences(of: old, with: new)
        #expect(text != Self.base)
        do {
            _ = try loader.parse(text, file: repository.appendingPathComponent("Simulators/t.yaml").path)
            return nil
        } catch {
            return error
        }
    }

    @Test("the base scenario loads")
    func base() throws {
        let scenario = try loader.parse(Self.base, file: repository.appendingPathComponent("Simulators/t.yaml").path)
        #expect(scenario.devices.map(\.unit) == [2, 3])
        #expect(scenario.timeline.first?.at == 10)
    }

    @Test("a duplicate unit id on one line names the line, the field and the other device")
    func duplicateUnit() throws {
        let error = try #require(loadError("    unit: 3", "    unit: 2"))
        #expect(error.line == 15)
        #expect(error.field == "devices[1].unit")
        #expect(error.message == "unit 2 is already used by a on line1")
        #expect(
            error.description.hasSuffix("Simulators/t.yaml:15: devices[1].unit: unit 2 is already used by a on line1"))
    }

    @Test("an unknown profile says where it looked")
    func unknownProfile() throws {
        let error = try #require(
            loadError(
                "profile: sensors/xy-md02.yaml\n    transport: line1\n    unit: 3",
                "profile: sensors/nope.yaml\n    transport: line1\n    unit: 3"))
        #expect(error.field == "devices[1].profile")
        #expect(error.message.contains("not found"))
    }

    @Test("a timeline entry for an unknown device, a bad duration and a bad fault are refused")
    func timeline() throws {
        #expect(try #require(loadError("device: a, fault", "device: c, fault")).message == "no device named \"c\"")
        #expect(try #require(loadError("duration: 1m", "duration: soon")).field == "timeline[0].duration")
        #expect(try #require(loadError("fault: offline", "fault: gremlins")).message.hasPrefix("unknown fault"))
        #expect(
            try #require(loadError("fault: offline", "event: add_load, kg: 5")).message.contains(
                "applies to a scale device"))
    }

    @Test("an accuracy class is a scale's, and one of I to IIII")
    func accuracyClass() throws {
        let scale = """
            name: t
            tcp: [{name: main}]
            devices:
              - {name: s, profile: scales/laumas-tlu.yaml, transport: main, unit: 1, model: scale, accuracy_class: II}
            """
        let file = repository.appendingPathComponent("Simulators/t.yaml").path
        #expect(try loader.parse(scale, file: file).devices.first?.accuracyClass == "II")
        #expect(throws: ConfigurationError.self) {
            try loader.parse(scale.replacingOccurrences(of: "II}", with: "V}"), file: file)
        }
        #expect(try load("Simulators/demo-warehouse/scenario.yaml").devices.first?.accuracyClass == "III")
    }

    @Test("an unknown model parameter is a typo, not ignored")
    func parameter() throws {
        let text = Self.base.replacingOccurrences(
            of: "    unit: 3\n    model: environment",
            with: "    unit: 3\n    model: environment\n    parameters: {humidty: 40}")
        #expect(throws: ConfigurationError.self) { try loader.parse(text, file: "t.yaml") }
    }

    @Test(
        "durations in every unit",
        arguments: [("500ms", 0.5), ("30s", 30), ("2m", 120), ("1h30m", 5400), ("90", 90), ("1d", 86400)])
    func durations(text: String, seconds: Double) {
        #expect(SimulatedDuration.parse(text) == seconds)
    }
}

/// Scenario numbers the models cannot take are refused at their line (issue 9 §1, issue 8 §3).
@Suite("Hostile numbers in scenarios")
struct ScenarioHostileNumberTests {
    let loader = ScenarioLoader(profileDirectories: [repository.appendingPathComponent("Devices").path])

    static let base = """
        name: t
        tcp:
          - {name: main, port: 0}
        devices:
          - name: s
            profile: scales/laumas-tlu.yaml
            transport: main
            unit: 1
            model: scale
            parameters: {capacity: 5000, division: 1, settling_s: 2}
          - name: e
            profile: sensors/xy-md02.yaml
            transport: main
            unit: 2
            model: environment
            parameters: {humidity: 45, start_hour: 6}
        timeline:
          - {at: 10s, device: s, event: add_load, kg: 25}
        """

    func error(_ old: String, _ new: String) -> ConfigurationError? {
        let text = Self.base.replacingOccurrences(of: old, with: new)
        #expect(text != Self.base)
        do {
            _ = try loader.parse(text, file: "t.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test("the base loads")
    func base() throws {
        #expect(try loader.parse(Self.base, file: "t.yaml").devices.count == 2)
    }

    @Test(
        "scale parameters a ScaleModel traps on are refused at their line",
        arguments: [
            "capacity: 0", "capacity: -5", "capacity: .nan", "division: 0", "division: -1", "division: .nan",
            "settling_s: -1", "division: 0.3", "division: 6000",
        ])
    func scaleParameters(replacement: String) throws {
        let key = String(replacement.prefix { $0 != ":" })
        let original = ["capacity": "capacity: 5000", "division": "division: 1", "settling_s": "settling_s: 2"][key]!
        let refused = try #require(error(original, replacement), "\(replacement) was accepted")
        #expect(refused.line == 10)
        #expect(refused.field.hasPrefix("devices[0].parameters"))
    }

    @Test("humidity 200, start_hour 99, add_load 1e308 and an .inf time are refused")
    func environmentAndEvents() throws {
        #expect(try #require(error("humidity: 45", "humidity: 200")).message == "200 is out of range 0–100")
        #expect(try #require(error("start_hour: 6", "start_hour: 99")).message == "99 is out of range 0–24")
        let load = try #require(error("kg: 25", "kg: 1e308"))
        #expect(load.field == "timeline[0].kg")
        #expect(load.message.contains("out of range"))
        #expect(try #require(error("at: 10s", "at: .inf")).field == "timeline[0].at")
        #expect(try #require(error("at: 10s", "at: 1e300")).field == "timeline[0].at")
    }
}
