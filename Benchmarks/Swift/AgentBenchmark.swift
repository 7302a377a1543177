import DeviceAccess
import Foundation
import Logging
import StockpileAgent
import StockpileDomain
import StockpileStore

/// Issue 4 §7: the agent polling end to end (plan, read, decode, store) against a bare libmodbus C
/// loop doing only the reads, same C server, same run; and the agent's footprint on the 200-device
/// soak site at 1 s.
enum AgentBenchmark {
    static let devices = 20

    static func throughput(cBin: String, seconds: Double, rounds: Int) async throws {
        for profilePath in ["sensors/xy-md02.yaml", "scales/laumas-tlu.yaml"] {
            try await throughput(profilePath: profilePath, cBin: cBin, seconds: seconds, rounds: rounds)
        }
    }

    static func throughput(profilePath: String, cBin: String, seconds: Double, rounds: Int) async throws {
        let profile = try ProfileLoader.load(file: "Devices/\(profilePath)")
        let plan = DeviceReader(profile: profile, unit: 1).plan
        guard plan.count == 1, let read = plan.first else { throw BenchmarkError("\(profilePath): one read expected") }
        let readingsPerPoll = DeviceReader(profile: profile, unit: 1).decode(
            .init(registers: RegisterSnapshot(), failures: [], retries: 0, started: Date(), elapsed: .zero)
        ).readings.count
        print(
            "== Agent polling throughput: \(devices) × \(profile.vendor) \(profile.model) on one TCP connection "
                + "(\(read), \(readingsPerPoll) readings per poll), as fast as they can be polled, into a store; "
                + "bare libmodbus C server ==")
        let server = try ChildProcess("\(cBin)/reference_server", ["0"])
        defer { server.stop() }
        guard let port = Int(try server.waitForLine(prefix: "PORT")) else { throw BenchmarkError("bad PORT line") }
        var cRates: [Double] = []
        var agentRates: [Double] = []
        for _ in 0..<rounds {
            let client = try ChildProcess(
                "\(cBin)/reference_client", ["127.0.0.1", "\(port)", "\(seconds)", "1", "\(read.count)", "\(read.table == .input ? 4 : 3)", "\(read.address)"])
            cRates.append(try rate(fromJSON: client.finish()))
            agentRates.append(try await agentRate(port: port, profile: profile, seconds: seconds))
        }
        let c = median(cRates)
        let agent = median(agentRates)
        print("C client loop: the same read, nothing else        \(formatRate(c))")
        print(
            "agent: plan, read, decode, qualify, store             \(formatRate(agent))   ratio "
                + "\(String(format: "%.3f", agent / c)) (goal ≥ 0.9)")
        print("(medians of \(rounds) alternating rounds of \(seconds) s each; requests per second)")
    }

    /// Requests per second of one bus poller whose devices are always due, with its store writing.
    static func agentRate(port: Int, profile: DeviceProfile, seconds: Double) async throws -> Double {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bus = SiteConfiguration.Bus.tcp(.init(name: "bench", host: "127.0.0.1", port: port))
        // An interval far below a poll's time: every device is always due, the bus never idles.
        let schedule = PollSchedule(every: .microseconds(1), overrides: [.identity: .every(.seconds(3600))])
        let devices = (1...Self.devices).map { unit in
            SiteConfiguration.Device(
                name: "device-\(unit)", profile: profile, profilePath: profile.file, bus: "bench",
                unit: UInt8(unit), poll: schedule, retries: 0)
        }
        let logger = Logger(label: "bench")
        let database = try AppDatabase.open(path: directory.appendingPathComponent("bench.sqlite").path)
        let writer = ReadingWriter(database: database, logger: logger)
        let poller = BusPoller(bus: bus, devices: devices, writer: writer, logger: logger)
        let flushing = Task { try await writer.run(flushInterval: .seconds(1)) }
        let polling = Task { await poller.run() }
        try await Task.sleep(for: .milliseconds(500))
        let start = poller.completed.transactions
        let started = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        let done = poller.completed.transactions - start
        let elapsed = ContinuousClock.now - started
        polling.cancel()
        await polling.value
        flushing.cancel()
        try await flushing.value
        return Double(done) / elapsed.seconds
    }
}
