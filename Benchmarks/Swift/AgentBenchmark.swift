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
        let serverPID = server.process.processIdentifier
        var cRates: [Double] = []
        var agentRates: [Double] = []
        var cEfficiency: [Double] = []
        var agentEfficiency: [Double] = []
        // A shared two-core machine drifts between rounds: more, longer rounds than the other benchmarks.
        let rounds = max(rounds, 5)
        for _ in 0..<rounds {
            var serverBefore = SimulatorBenchmark.cpuSeconds(serverPID)
            var processBefore = CPUTime.children()
            let client = try ChildProcess(
                "\(cBin)/reference_client",
                [
                    "127.0.0.1", "\(port)", "\(seconds)", "1", "\(read.count)", "\(read.table == .input ? 4 : 3)",
                    "\(read.address)",
                ])
            let cRate = try rate(fromJSON: client.finish())
            cRates.append(cRate)
            // Requests per CPU second of client and server together, over the whole run (warm-up included).
            let cCPU = (CPUTime.children() - processBefore) + (SimulatorBenchmark.cpuSeconds(serverPID) - serverBefore)
            cEfficiency.append(cRate * seconds / cCPU)

            serverBefore = SimulatorBenchmark.cpuSeconds(serverPID)
            processBefore = CPUTime.this()
            let agent = try await agentRate(port: port, profile: profile, seconds: seconds)
            agentRates.append(agent.rate)
            let agentCPU = (CPUTime.this() - processBefore) + (SimulatorBenchmark.cpuSeconds(serverPID) - serverBefore)
            agentEfficiency.append(Double(agent.total) / agentCPU)
        }
        let c = median(cRates)
        let agent = median(agentRates)
        print("C client loop: the same read, nothing else        \(formatRate(c))")
        print(
            "agent: plan, read, decode, qualify, store             \(formatRate(agent))   ratio "
                + "\(String(format: "%.3f", agent / c)) (goal ≥ 0.9)")
        print(
            "    rounds: agent \(agentRates.map(formatRate).joined(separator: ",")); C \(cRates.map(formatRate).joined(separator: ","))"
        )
        let efficiency = median(agentEfficiency) / median(cEfficiency)
        print(
            "per CPU second (client or agent, plus the server): agent \(formatRate(median(agentEfficiency))), "
                + "C \(formatRate(median(cEfficiency))), ratio \(String(format: "%.3f", efficiency))")
        print("(medians of \(rounds) alternating rounds of \(seconds) s each; requests per second)")
    }

    /// Requests per second of one bus poller whose devices are always due, with its store writing,
    /// and every request it made from start to stop.
    static func agentRate(port: Int, profile: DeviceProfile, seconds: Double) async throws -> (rate: Double, total: Int)
    {
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
        return (Double(done) / elapsed.seconds, poller.completed.transactions)
    }
}

/// CPU seconds (user + system) from getrusage.
enum CPUTime {
    static func this() -> Double { seconds(RUSAGE_SELF) }
    /// Of the children waited for so far.
    static func children() -> Double { seconds(RUSAGE_CHILDREN) }

    private static func seconds(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who.rawValue), &usage)
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }
}

extension AgentBenchmark {
    /// The agent polling the 200 devices of `Simulators/soak.yaml` every second, measured from /proc.
    static func footprint(stockpile: String, scenario: String, seconds: Double) async throws {
        print("== Agent footprint: \(scenario), every device polled every 1 s, into a store, for \(Int(seconds)) s ==")
        let simulator = try ChildProcess(stockpile, ["simulate", "--scenario", scenario])
        defer { simulator.stop() }
        var ports: [String: Int] = [:]
        for index in 1...4 {
            ports["port\(index)"] = try SimulatorBenchmark.port(
                fromTCPLine: simulator.waitForLine(prefix: "tcp port\(index)"))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-soak-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = directory.appendingPathComponent("site.yaml")
        let devices = try soakSite(scenario: String(contentsOfFile: scenario, encoding: .utf8), ports: ports)
        try devices.text.write(to: site, atomically: true, encoding: .utf8)
        let agent = try ChildProcess(
            stockpile, ["agent", "--site", site.path, "--data-dir", directory.path, "--log-level", "warning"])
        defer { agent.stop() }
        _ = try agent.waitForLine(prefix: "agent soak:")
        // The first polls open 4 connections and create the store; measure the steady state.
        try await Task.sleep(for: .seconds(3))
        let pid = agent.process.processIdentifier
        let cpuBefore = SimulatorBenchmark.cpuSeconds(pid)
        let simulatorBefore = SimulatorBenchmark.cpuSeconds(simulator.process.processIdentifier)
        let started = Date()
        var peakRSS = 0
        while Date().timeIntervalSince(started) < seconds {
            peakRSS = max(peakRSS, SimulatorBenchmark.residentKilobytes(pid))
            try await Task.sleep(for: .milliseconds(500))
        }
        let wall = Date().timeIntervalSince(started)
        let cpu = (SimulatorBenchmark.cpuSeconds(pid) - cpuBefore) / wall
        let simulatorCPU = (SimulatorBenchmark.cpuSeconds(simulator.process.processIdentifier) - simulatorBefore) / wall
        agent.stop()
        let database = try AppDatabase.openReadOnly(path: directory.appendingPathComponent("stockpile.sqlite").path)
        let status = try await database.status()
        let polled = status.filter { $0.lastQuality == .good || $0.lastQuality == .uncertain }.count
        print("devices with a good or uncertain last reading       \(polled) of \(devices.count)")
        print(
            "agent CPU                                            \(String(format: "%.1f", cpu * 100)) % of one core   "
                + "(goal < 10 %: \(cpu < 0.10 ? "met" : "NOT met"))")
        print(
            "agent peak RSS                                       \(peakRSS / 1024) MB   "
                + "(goal < 50 MB: \(peakRSS < 50 * 1024 ? "met" : "NOT met"))")
        print(
            "simulator CPU serving it, same run                   \(String(format: "%.1f", simulatorCPU * 100)) % of one core"
        )
    }

    /// A site for the soak scenario: its four ports as buses, every device at 1 s.
    static func soakSite(scenario: String, ports: [String: Int]) throws -> (text: String, count: Int) {
        var text = """
            site: {id: soak, name: Soak}
            data_directory: unused
            defaults: {poll: 1s, timeout: 1s, retries: 1}
            tcp:

            """
        for name in ports.keys.sorted() {
            text += "  - {name: \(name), host: 127.0.0.1, port: \(ports[name]!)}\n"
        }
        text += "devices:\n"
        var count = 0
        // `  - {name: dev-001, profile: scales/laumas-tlu.yaml, transport: port1, unit: 1, model: scale, …}`
        for line in scenario.split(separator: "\n") where line.hasPrefix("  - {name: dev-") {
            func field(_ key: String) -> String? {
                guard let range = line.range(of: "\(key): ") else { return nil }
                return String(line[range.upperBound...].prefix { $0 != "," && $0 != "}" })
            }
            guard let name = field("name"), let profile = field("profile"), let bus = field("transport"),
                let unit = field("unit"), let model = field("model")
            else { throw BenchmarkError("cannot read soak device line: \(line)") }
            var entry = "  - {name: \(name), profile: \(profile), bus: \(bus), unit: \(unit)"
            if model == "scale" {
                entry += ", location: {name: bay-\(name), capacity: 5000, division: 1, class: III}"
            } else if model == "environment" {
                entry += ", zone: z\(bus)"
            }
            text += entry + "}\n"
            count += 1
        }
        return (text, count)
    }
}
