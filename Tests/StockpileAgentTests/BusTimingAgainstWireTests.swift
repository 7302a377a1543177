import Foundation
import Logging
import Modbus
import ModbusServing
import Simulator
import SimulatorCore
import StockpileAgent
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Testing

/// The agent's prediction of a line's round (`BusTiming`) against the simulator's pacing of it
/// (`RTUWireTiming`): the same frames, the same silences, so a technician's predicted round is the
/// one the simulated line keeps.
@Suite("bus timing against the simulated wire")
struct BusTimingAgainstWireTests {
    @Test("for every shipped profile's reads, BusTiming's wire time is the simulator's pacing of the same frames")
    func predictionMatchesPacing() throws {
        for file in ShippedProfiles.files {
            let profile = try ShippedProfiles.load(file)
            let plan = DeviceAccessPlan.plan(of: profile)
            for baud in [9600, 19_200, 38_400, 115_200] {
                let line = SiteConfiguration.RTULine(name: "line", device: "/dev/null", baud: baud, parity: .even)
                let timing = BusTiming(bus: .rtu(line))
                let wire = RTUWireTiming(baud: baud)
                for read in plan {
                    let data = read.table.holdsBits ? (read.count + 7) / 8 : read.count * 2
                    let paced = wire.exchange(request: 8, answer: 5 + data)
                    let predicted = timing.transactionTime(read) - timing.turnaround
                    let difference = abs((predicted - paced).seconds)
                    #expect(difference < 2e-6, "\(file) \(read) at \(baud): predicted \(predicted), paced \(paced)")
                }
            }
        }
    }

    @Test("three always-due units on a paced 19,200-baud line take at least the predicted wire round")
    func pacedLineKeepsThePredictedRound() async throws {
        let scenario = """
            name: wire
            seed: 2
            rtu:
              - {name: line, baud: 19200, parity: E}
            devices:
              - {name: a, profile: sensors/xy-md02.yaml, transport: line, unit: 1, model: environment}
              - {name: b, profile: sensors/xy-md02.yaml, transport: line, unit: 2, model: environment}
              - {name: c, profile: sensors/xy-md02.yaml, transport: line, unit: 3, model: environment}
            """
        let devicesDirectory = ShippedProfiles.directory
        let loaded = try ScenarioLoader(profileDirectories: [devicesDirectory])
            .parse(scenario, file: repository.appendingPathComponent("Simulators/wire-test.yaml").path)
        let simulator = try SimulatorService(engine: SimulationEngine(scenario: loaded), logger: Logger(label: "test"))
        let endpoints = try simulator.start()
        defer { simulator.stop() }
        let pty = try #require(endpoints.first { $0.kind == "rtu" }?.address)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-wire-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let profile = try ShippedProfiles.load("Devices/sensors/xy-md02.yaml")
        let bus = SiteConfiguration.Bus.rtu(.init(name: "line", device: pty, baud: 19_200, parity: .even))
        let schedule = PollSchedule(every: .microseconds(1), overrides: [.identity: .every(.seconds(3600))])
        let devices = (1...3).map { unit in
            SiteConfiguration.Device(
                name: "s\(unit)", profile: profile, profilePath: profile.file, bus: "line", unit: UInt8(unit),
                poll: schedule, timeout: .milliseconds(500), retries: 0)
        }
        let database = try AppDatabase.open(path: directory.appendingPathComponent("store.sqlite").path)
        let writer = ReadingWriter(database: database, logger: Logger(label: "test"))
        let poller = BusPoller(bus: bus, devices: devices, writer: writer, logger: Logger(label: "test"))
        let polling = Task { await poller.run() }
        try await Task.sleep(for: .milliseconds(500))
        let start = poller.completed.polls
        let started = ContinuousClock.now
        // At least 30 polls, however slowly a loaded machine gets to them.
        let deadline = ContinuousClock.now + .seconds(60)
        while poller.completed.polls - start < 30, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let polls = poller.completed.polls - start
        let elapsed = ContinuousClock.now - started
        polling.cancel()
        await polling.value

        let groups = PolledDeviceGroups.periodicPlans(of: profile, schedule: schedule)
        let timing = BusTiming(bus: bus)
        let wireRound = groups.reduce(Duration.zero) { $0 + timing.pollTime($1) - timing.turnaround * $1.count } * 3
        // Checked before dividing: on a stalled machine no poll may complete, and elapsed / 0 traps.
        try #require(polls > 0)
        let measuredRound = elapsed / (Double(polls) / Double(3 * groups.count))
        // The simulated line cannot be faster than the wire; a lower bound only.
        #expect(measuredRound >= wireRound * 0.95, "measured \(measuredRound), wire \(wireRound)")
        print("paced 19,200-baud round of 3 XY-MD02: measured \(measuredRound), predicted wire time \(wireRound)")
    }
}

/// The plans the tests compare, from the same planner the agent uses.
enum DeviceAccessPlan {
    static func plan(of profile: DeviceProfile) -> [PlannedRead] {
        RequestPlanner(transport: profile.transport).plan(profile.points)
    }
}

enum PolledDeviceGroups {
    /// The plan of each group polled more often than once a second.
    static func periodicPlans(of profile: DeviceProfile, schedule: PollSchedule) -> [[PlannedRead]] {
        PollGroup.groups(of: profile, schedule: schedule).compactMap { group in
            guard case .every(let interval) = group.cadence, interval < .seconds(1) else { return nil }
            let planned = group.points
            return RequestPlanner(transport: profile.transport).plan(planned)
        }
    }
}
