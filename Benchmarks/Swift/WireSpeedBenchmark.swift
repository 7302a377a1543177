import DeviceAccess
import Foundation
import Logging
import StockpileAgent
import StockpileDomain
import StockpileStore

/// Issue 8 §6: three units on one simulated 19,200-baud RTU line, always due, polled by the agent's
/// bus poller; its polls per second against the wire limit computed from the frame sizes, and its
/// predicted round (`BusTiming`) against the round it measured.
enum WireSpeedBenchmark {
    static let baud = 19_200
    static let units = 3

    static func run(stockpile: String, seconds: Double) async throws {
        let profilePath = "scales/laumas-tlu.yaml"
        let profile = try ProfileLoader.load(file: "Devices/\(profilePath)")
        let schedule = PollSchedule(every: .microseconds(1), overrides: [.identity: .every(.seconds(3600))])
        // The groups the poller reads every time (the identity group, once an hour, is left out).
        let groups = PollGroup.groups(of: profile, schedule: schedule).filter {
            if case .every(let interval) = $0.cadence { return interval < .seconds(1) }
            return false
        }
        let plan = groups.flatMap { DeviceReader(profile: profile, unit: 1, points: $0.points).plan }
        // One character: start, 8 data bits, parity, stop. Each frame is preceded by 3.5 characters
        // of silence. Request: 8 bytes; answer: unit, function, byte count, data, CRC.
        let character = 11.0 / Double(baud)
        let pollWire = plan.reduce(0.0) { total, read in
            let data = read.table.holdsBits ? (read.count + 7) / 8 : read.count * 2
            return total + (8.0 + 5.0 + Double(data) + 7.0) * character
        }
        // Group polls per second the wire can carry: every device's groups once per round.
        let wireLimit = Double(groups.count) / pollWire
        print(
            "== Agent on one RTU line at wire speed: \(units) × \(profile.vendor) \(profile.model) at \(baud) baud 8E1, "
                + "\(groups.count) poll group(s) and \(plan.count) transaction(s) a round, always due; the simulator paces the line =="
        )
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-wire-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("rtu").path
        let devices = (1...units).map { unit in
            """
              - {name: scale-\(unit), profile: \(profilePath), transport: line, unit: \(unit), model: scale,
                 parameters: {load: \(1000 * unit), noise_divisions: 0}}
            """
        }
        let scenario = """
            name: wire-speed
            seed: 1
            rtu:
              - {name: line, link: \(link), baud: \(baud), parity: E}
            devices:
            \(devices.joined(separator: "\n"))
            """
        let scenarioPath = directory.appendingPathComponent("scenario.yaml").path
        try scenario.write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let simulator = try ChildProcess(stockpile, ["simulate", "--scenario", scenarioPath])
        defer { simulator.stop() }
        _ = try simulator.waitForLine(prefix: "rtu line")

        let bus = SiteConfiguration.Bus.rtu(.init(name: "line", device: link, baud: baud, parity: .even))
        let site = (1...units).map { unit in
            SiteConfiguration.Device(
                name: "scale-\(unit)", profile: profile, profilePath: profile.file, bus: "line", unit: UInt8(unit),
                poll: schedule, timeout: .milliseconds(500), retries: 0)
        }
        let logger = Logger(label: "bench")
        let database = try AppDatabase.open(path: directory.appendingPathComponent("bench.sqlite").path)
        let writer = ReadingWriter(database: database, logger: logger)
        let poller = BusPoller(bus: bus, devices: site, writer: writer, logger: logger)
        let flushing = Task { try await writer.run(flushInterval: .seconds(1)) }
        let polling = Task { await poller.run() }
        try await Task.sleep(for: .seconds(1))
        var rates: [Double] = []
        for _ in 0..<3 {
            let start = poller.completed.polls
            let started = ContinuousClock.now
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            rates.append(Double(poller.completed.polls - start) / (ContinuousClock.now - started).seconds)
        }
        polling.cancel()
        await polling.value
        flushing.cancel()
        try await flushing.value
        let agent = median(rates)
        print(
            "wire limit from the frame sizes: \(String(format: "%.1f", wireLimit)) polls/s (\(String(format: "%.2f", pollWire * 1000)) ms a device round)"
        )
        print(
            "agent: \(String(format: "%.1f", agent)) polls/s   ratio \(String(format: "%.3f", agent / wireLimit)) (goal ≥ 0.9)"
                + "   rounds: \(rates.map { String(format: "%.1f", $0) }.joined(separator: ", "))")
        // BusTiming's floor for one round of the same groups (frames, silences, its turnaround
        // allowance), against the round the agent kept.
        let predicted = BusTiming(bus: bus).pollTime(plan) * units
        let actualRound = Duration.seconds(Double(units * groups.count) / agent)
        print(
            "round of \(units) polls: predicted (BusTiming) \(String(format: "%.1f", predicted.seconds * 1000)) ms, "
                + "measured \(String(format: "%.1f", actualRound.seconds * 1000)) ms, "
                + "ratio \(String(format: "%.3f", actualRound.seconds / max(predicted.seconds, 1e-9)))")
    }
}
