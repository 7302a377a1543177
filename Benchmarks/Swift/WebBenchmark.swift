import Foundation

/// Issue 12 §4: the dashboard's overview page and the devices API under 200 requests a second from wrk, while
/// the agent polls the 200 devices of `Simulators/soak.yaml` every second. Reports each route's latency
/// percentiles (wrk's own) and the agent's polling rate with and without the load, measured in the same run.
enum WebBenchmark {
    static let goalP99Milliseconds = 20.0
    static let requestsPerSecond = 200

    static func run(stockpile: String, scenario: String, seconds: Int) async throws {
        print(
            "== HTTP under load: \(requestsPerSecond) requests/s from wrk on loopback for \(seconds) s per phase, "
                + "while the agent polls \(scenario) every 1 s ==")
        let simulator = try ChildProcess(stockpile, ["simulate", "--scenario", scenario])
        defer { simulator.stop() }
        var ports: [String: Int] = [:]
        for index in 1...4 {
            ports["port\(index)"] = try SimulatorBenchmark.port(
                fromTCPLine: simulator.waitForLine(prefix: "tcp port\(index)"))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-web-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = directory.appendingPathComponent("site.yaml")
        let devices = try AgentBenchmark.soakSite(
            scenario: String(contentsOfFile: scenario, encoding: .utf8), ports: ports)
        try devices.text.write(to: site, atomically: true, encoding: .utf8)
        let agent = try ChildProcess(
            stockpile,
            [
                "agent", "--site", site.path, "--data-dir", directory.path, "--log-level", "warning", "--http",
                "127.0.0.1:0",
            ])
        defer { agent.stop() }
        let base = try agent.waitForLine(prefix: "dashboard ").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        // The first polls open the connections and create the store; measure the steady state.
        try await Task.sleep(for: .seconds(5))
        let pace = directory.appendingPathComponent("pace.lua")
        // wrk sends as fast as it can; a delay per request on each of its connections paces it at about the rate
        // asked (each connection's cycle is the delay plus the answer's latency, about 1 ms).
        let connections = 4
        let delay = 1000 * connections / requestsPerSecond - 1
        try "function delay()\n  return \(delay)\nend\n".write(to: pace, atomically: true, encoding: .utf8)

        let idleBefore = try await pollRate(base: base, seconds: seconds)
        let overview = try wrk(url: base + "/", script: pace.path, connections: connections, seconds: seconds)
        let overviewPolls = overview.pollRate
        let api = try wrk(url: base + "/api/v1/devices", script: pace.path, connections: connections, seconds: seconds)
        let idleAfter = try await pollRate(base: base, seconds: seconds)
        let idle = (idleBefore + idleAfter) / 2
        for (name, result) in [("overview page /", overview.result), ("devices API /api/v1/devices", api.result)] {
            print(
                "\(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(format: "%6.1f", result.rate)) req/s, "
                    + "latency p50 \(format(result.p50)) ms, p90 \(format(result.p90)) ms, p99 \(format(result.p99)) ms "
                    + "(goal p99 < \(format(goalP99Milliseconds)) ms: \(result.p99 < goalP99Milliseconds ? "met" : "NOT met")), "
                    + "\(result.errors) errors")
        }
        print(
            "polls/s without load \(format(idleBefore)) before, \(format(idleAfter)) after; under the overview's load "
                + "\(format(overviewPolls)) (ratio \(String(format: "%.3f", overviewPolls / idle))), under the API's load "
                + "\(format(api.pollRate)) (ratio \(String(format: "%.3f", api.pollRate / idle)))")
    }

    struct WrkResult {
        var rate: Double
        var p50: Double
        var p90: Double
        var p99: Double
        var errors: Int
    }

    /// Runs wrk against `url` and, over the same seconds, measures the agent's polling rate.
    static func wrk(
        url: String, script: String, connections: Int, seconds: Int
    ) throws -> (result: WrkResult, pollRate: Double) {
        let base = url.components(separatedBy: "/").prefix(3).joined(separator: "/")
        let before = try polls(base: base)
        let started = Date()
        let output = try ChildProcess(
            "/usr/bin/wrk", ["-t", "1", "-c", "\(connections)", "-d", "\(seconds)s", "--latency", "-s", script, url]
        ).finish()
        let pollRate = Double(try polls(base: base) - before) / Date().timeIntervalSince(started)
        return (try parse(output), pollRate)
    }

    static func parse(_ output: String) throws -> WrkResult {
        func milliseconds(_ text: Substring) -> Double? {
            let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000)]
            for (unit, factor) in units where text.hasSuffix(unit) {
                if let value = Double(text.dropLast(unit.count)) { return value * factor }
            }
            return nil
        }
        var percentiles: [String: Double] = [:]
        var rate: Double?
        var errors = 0
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count == 2, ["50%", "90%", "99%"].contains(String(fields[0])) {
                percentiles[String(fields[0])] = milliseconds(fields[1])
            }
            if fields.first == "Requests/sec:", fields.count == 2 { rate = Double(fields[1]) }
            if line.contains("Non-2xx or 3xx responses:"), let last = fields.last { errors += Int(last) ?? 0 }
            if line.contains("Socket errors:") {
                errors += fields.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
            }
        }
        guard let rate, let p50 = percentiles["50%"], let p90 = percentiles["90%"], let p99 = percentiles["99%"] else {
            throw BenchmarkError("cannot read wrk's output:\n\(output)")
        }
        return WrkResult(rate: rate, p50: p50, p90: p90, p99: p99, errors: errors)
    }

    static func pollRate(base: String, seconds: Int) async throws -> Double {
        let before = try polls(base: base)
        let started = Date()
        try await Task.sleep(for: .seconds(seconds))
        return Double(try polls(base: base) - before) / Date().timeIntervalSince(started)
    }

    /// The agent's `stockpile_polls_total`, summed over devices and outcomes, from its `/metrics`.
    static func polls(base: String) throws -> Int {
        let text = try ChildProcess("/usr/bin/curl", ["-s", "--max-time", "10", base + "/metrics"]).finish()
        var total = 0.0
        for line in text.split(separator: "\n") where line.hasPrefix("stockpile_polls_total") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { total += value }
        }
        guard total > 0 else { throw BenchmarkError("no stockpile_polls_total in \(base)/metrics") }
        return Int(total)
    }

    static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
