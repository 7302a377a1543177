import Foundation
import Modbus
import ModbusServing

/// Issue 3: the simulator's serving rate against a bare libmodbus C server and a pymodbus server,
/// all read by the same C client loop in the same run; then the 200-device soak.
enum SimulatorBenchmark {
    /// One noiseless scale on an ephemeral port: the C client reads its holding registers 0–9.
    static let scenario = """
        name: bench
        seed: 1
        tcp:
          - {name: main, port: 0}
        devices:
          - {name: scale, profile: scales/laumas-tlu.yaml, transport: main, unit: 1, model: scale,
             parameters: {load: 1200, noise_divisions: 0}}
        """

    static func run(cBin: String, stockpile: String, pymodbusServer: String, seconds: Double, rounds: Int) throws {
        print("== Simulator: one client reading 10 holding registers, loopback, C client loop ==")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-bench-\(getpid()).yaml")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let simulator = try ChildProcess(stockpile, ["simulate", "--scenario", file.path])
        defer { simulator.stop() }
        let simulatorPort = try port(fromTCPLine: simulator.waitForLine(prefix: "tcp main"))
        let reference = try ChildProcess("\(cBin)/reference_server", ["0"])
        defer { reference.stop() }
        let referencePort = try port(reference.waitForLine(prefix: "PORT"))
        let pymodbus = try ChildProcess("/usr/bin/env", ["python3", pymodbusServer, "0"])
        defer { pymodbus.stop() }
        let pymodbusPort = try port(pymodbus.waitForLine(prefix: "PORT"))

        // The bridge's server alone, in this process, with no simulation behind it: separates the
        // server's cost from the engine's.
        let bank = RegisterBank(holdingRegisters: 100)
        bank.setHoldingRegisters((0..<100).map { UInt16($0 * 3) }, at: 0)
        let bare = ModbusServer(units: [1: bank])
        let barePort = try bare.startTCP()
        defer { bare.stop() }

        var rates: [String: [Double]] = [:]
        for _ in 0..<rounds {
            for (name, port) in [
                ("c", referencePort), ("simulator", simulatorPort), ("server", barePort), ("pymodbus", pymodbusPort),
            ] {
                let client = try ChildProcess(
                    "\(cBin)/reference_client", ["127.0.0.1", "\(port)", "\(seconds)", "1", "10"])
                rates[name, default: []].append(try rate(fromJSON: client.finish()))
            }
        }
        let c = median(rates["c"]!)
        let simulated = median(rates["simulator"]!)
        let python = median(rates["pymodbus"]!)
        print("bare libmodbus C server (select loop)   \(formatRate(c))")
        print(
            "stockpile simulate                      \(formatRate(simulated))   ratio to C \(String(format: "%.3f", simulated / c)) (goal ≥ 0.9)"
        )
        let server = median(rates["server"]!)
        print(
            "ModbusServer alone (no simulation)      \(formatRate(server))   ratio to C \(String(format: "%.3f", server / c))"
        )
        print(
            "pymodbus server                         \(formatRate(python))   simulator / pymodbus \(String(format: "%.2f", simulated / python)) (goal ≥ 2)"
        )
        print("(medians of \(rounds) rounds of \(seconds) s each, the servers taking turns)")
    }

    /// 200 devices on four ports, eight client loops at once; the simulator's CPU share and RSS.
    static func soak(cBin: String, stockpile: String, scenario: String, seconds: Double) throws {
        print("== Simulator soak: \(scenario), 8 concurrent clients ==")
        let simulator = try ChildProcess(stockpile, ["simulate", "--scenario", scenario])
        defer { simulator.stop() }
        var ports: [Int] = []
        for index in 1...4 { ports.append(try port(fromTCPLine: simulator.waitForLine(prefix: "tcp port\(index)"))) }
        // Let the models settle into their tick before measuring.
        Thread.sleep(forTimeInterval: 1)
        let pid = simulator.process.processIdentifier
        let cpuBefore = cpuSeconds(pid)
        let started = Date()
        var clients: [ChildProcess] = []
        for index in 0..<8 {
            // Two clients per port, each on a Laumas scale (every eighth device of soak.yaml, which
            // numbers its devices 50 to a port): the profile with at least ten holding registers.
            let portIndex = index % 4
            let firstLaumas = (8 - (50 * portIndex) % 8) % 8 + 1
            let unit = firstLaumas + (index < 4 ? 0 : 8)
            clients.append(
                try ChildProcess(
                    "\(cBin)/reference_client", ["127.0.0.1", "\(ports[index % 4])", "\(seconds)", "\(unit)", "10"]))
        }
        var peakRSS = 0
        while clients.contains(where: { $0.process.isRunning }) {
            peakRSS = max(peakRSS, residentKilobytes(pid))
            Thread.sleep(forTimeInterval: 0.2)
        }
        let total = try clients.map { try rate(fromJSON: $0.finish()) }.reduce(0, +)
        let wall = Date().timeIntervalSince(started)
        let cpu = cpuSeconds(pid) - cpuBefore
        print("total request rate                      \(formatRate(total))")
        print("simulator CPU                           \(String(format: "%.0f", cpu / wall * 100)) % of one core")
        print("simulator peak RSS                      \(peakRSS / 1024) MB")

        // The idle footprint: 200 devices ticking, no clients.
        let idleBefore = cpuSeconds(pid)
        Thread.sleep(forTimeInterval: 5)
        let idle = (cpuSeconds(pid) - idleBefore) / 5
        print(
            "simulator idle CPU (200 devices, no clients) \(String(format: "%.1f", idle * 100)) % of one core, RSS \(residentKilobytes(pid) / 1024) MB"
        )
    }

    static func port(_ text: String) throws -> Int {
        guard let port = Int(text) else { throw BenchmarkError("bad port: \(text)") }
        return port
    }

    /// "127.0.0.1:40123" from the rest of a `tcp NAME HOST:PORT` line.
    static func port(fromTCPLine rest: String) throws -> Int {
        guard let text = rest.split(separator: ":").last, let port = Int(text) else {
            throw BenchmarkError("bad tcp line: \(rest)")
        }
        return port
    }

    /// User plus system CPU seconds of a process, from /proc.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields after the command: state is index 0, utime 11, stime 12 (proc(5)).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func residentKilobytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
