import Foundation
import StockpileStore
import Testing

/// `stockpile agent`, `status` and `readings` as an operator runs them: separate processes, the
/// simulator as the warehouse, signals to stop.
@Suite(.serialized) struct AgentCommandTests {
    static let scenario = """
        name: agent-cli
        seed: 3
        step: 50ms
        tcp:
          - {name: main, port: 0}
        rtu:
          - {name: line1, link: $DIR/rtu}
        devices:
          - name: scale
            profile: scales/laumas-tlu.yaml
            transport: main
            unit: 1
            model: scale
            parameters: {load: 2400, noise_divisions: 0}
          - name: climate
            profile: sensors/xy-md02.yaml
            transport: line1
            unit: 2
            model: environment
            parameters: {temperature: 17, temperature_amplitude: 0, temperature_noise: 0, humidity: 45, humidity_amplitude: 0, humidity_noise: 0}
        """

    static func site(_ simulator: SimulatorProcess, flush: String, poll: String = "100ms") -> String {
        """
        site: {id: cli-test, name: CLI test}
        data_directory: \(simulator.directory.appendingPathComponent("data").path)
        store: {flush_interval: \(flush)}
        defaults: {poll: \(poll), timeout: 300ms, retries: 0}
        tcp:
          - {name: main, host: 127.0.0.1, port: \(simulator.port)}
        rtu:
          - {name: line1, device: \(simulator.link ?? ""), baud: 9600, parity: E}
        devices:
          - name: scale
            profile: scales/laumas-tlu.yaml
            bus: main
            unit: 1
            location: {name: bay-1, capacity: 5000, division: 1, class: III}
          - name: climate
            profile: sensors/xy-md02.yaml
            bus: line1
            unit: 2
            zone: bay
        """
    }

    /// Writes the site next to the scenario and starts the agent on it.
    static func startAgent(_ site: String, in simulator: SimulatorProcess) async throws -> (ChildProcess, String) {
        let path = simulator.directory.appendingPathComponent("site.yaml").path
        try site.write(toFile: path, atomically: true, encoding: .utf8)
        let agent = try ChildProcess(["agent", "--site", path, "--http", "127.0.0.1:0"], name: "agent")
        _ = try await agent.waitFor { lines in lines.first { $0.hasPrefix("agent cli-test: 2 devices on 2 buses") } }
        return (agent, path)
    }

    /// `stockpile readings … --json`, decoded.
    static func readings(site: String, device: String, point: String) async throws -> [[String: Any]] {
        let outcome = try await StockpileRunner.run(
            ["readings", "--site", site, "--device", device, "--point", point, "--since", "1h", "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8))
        return object as? [[String: Any]] ?? []
    }

    static func storePath(_ simulator: SimulatorProcess) -> String {
        simulator.directory.appendingPathComponent("data/stockpile.sqlite").path
    }

    @Test func statusAndReadingsReadTheStoreWhileTheAgentRunsAndSIGTERMFlushesAndExitsZero() async throws {
        try await SimulatorProcess.run(scenario: Self.scenario) { simulator in
            // A 5 s flush interval: what is in the store after SIGTERM came from the final flush.
            let (agent, site) = try await Self.startAgent(Self.site(simulator, flush: "5s"), in: simulator)
            defer { agent.kill() }
            try await Task.sleep(for: .seconds(1.5))
            let beforeStop = Date()
            let ending = await agent.terminate()
            #expect(ending.reason == .exit && ending.status == 0, "\(agent.standardError)")
            #expect(agent.standardError.contains("stopped; every buffered reading written"))
            let gross = try await Self.readings(site: site, device: "scale", point: "gross")
            #expect(gross.count >= 8, "\(gross.count) readings of 100 ms polls over 1.5 s")
            #expect(gross.allSatisfy { ($0["value"] as? Double) == 2400 && ($0["quality"] as? String) == "good" })
            let temperature = try await Self.readings(site: site, device: "climate", point: "temperature")
            #expect(temperature.allSatisfy { ($0["value"] as? Double) == 17 })
            // The final flush wrote the polls up to the signal, not only those before a periodic flush.
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let last = try #require((gross.last?["time"] as? String).flatMap { formatter.date(from: $0) })
            #expect(
                beforeStop.timeIntervalSince(last) < 1,
                "last reading \(beforeStop.timeIntervalSince(last)) s before SIGTERM")

            // Now with the agent running, the read-only commands read alongside its writes.
            let (second, _) = try await Self.startAgent(Self.site(simulator, flush: "200ms"), in: simulator)
            defer { second.kill() }
            try await Task.sleep(for: .seconds(1))
            let status = try await StockpileRunner.run(["status", "--site", site])
            #expect(status.status == 0, "\(status.standardError)")
            let rows = status.standardOutput.split(separator: "\n").map(String.init)
            let scaleRow = try #require(rows.first { $0.hasPrefix("scale ") }, "\(status.standardOutput)")
            #expect(
                scaleRow.contains("online") && scaleRow.contains("gross 2400 kg, stable") && scaleRow.contains("good"),
                "\(status.standardOutput)")
            let climateRow = try #require(rows.first { $0.hasPrefix("climate ") }, "\(status.standardOutput)")
            // Main values to the profile's resolution (×0.1 registers: one decimal).
            #expect(climateRow.contains("temperature 17.0 °C, humidity 45.0 %RH"), "\(climateRow)")
            let statusJSON = try await StockpileRunner.run(["status", "--site", site, "--json"])
            let devices = try #require(
                try JSONSerialization.jsonObject(with: Data(statusJSON.standardOutput.utf8)) as? [[String: Any]])
            let scaleJSON = try #require(devices.first { $0["device"] as? String == "scale" })
            #expect(scaleJSON["health"] as? String == "online")
            let values = try #require(scaleJSON["values"] as? [[String: Any]])
            let grossValue = try #require(values.first { $0["point"] as? String == "gross" })
            #expect(grossValue["value"] as? Double == 2400 && grossValue["unit"] as? String == "kg", "\(grossValue)")
            #expect(grossValue["quality"] as? String == "good" && grossValue["time"] is String)
            #expect(grossValue["age_s"] is Double)
            #expect(Set(values.flatMap(\.keys)) == ["point", "value", "unit", "quality", "time", "age_s"])
            #expect(scaleJSON["main_points"] as? [String] == ["gross", "stable"])
            let csv = try await StockpileRunner.run(
                ["readings", "--site", site, "--device", "climate", "--point", "humidity", "--since", "10s", "--csv"])
            let csvLines = csv.standardOutput.split(separator: "\n")
            #expect(csvLines.first == "time,device,point,value,unit,quality")
            #expect(csvLines.count >= 6)
            #expect(csvLines.dropFirst().allSatisfy { $0.hasSuffix(",climate,humidity,45,%RH,good") })
            // --last N: the newest N, oldest first, from all time; a date is that day's 00:00 UTC.
            // The agent still writes: the newest two come from at or after the newest two seen just before.
            let before = try await Self.readings(site: site, device: "climate", point: "humidity")
            let newestTwo = try await StockpileRunner.run(
                ["readings", "--site", site, "--device", "climate", "--point", "humidity", "--last", "2", "--json"])
            let lastRows = try #require(
                try JSONSerialization.jsonObject(with: Data(newestTwo.standardOutput.utf8)) as? [[String: Any]])
            #expect(lastRows.count == 2 && lastRows.allSatisfy { $0["unit"] as? String == "%RH" })
            let lastTimes = lastRows.compactMap { $0["time"] as? String }
            let seenTimes = before.compactMap { $0["time"] as? String }
            #expect(lastTimes.count == 2 && lastTimes[0] < lastTimes[1], "oldest first: \(lastTimes)")
            #expect(seenTimes.count >= 2 && lastTimes.first.map { $0 >= seenTimes[seenTimes.count - 2] } == true)
            let yesterday = String(ISO8601DateFormatter().string(from: Date() - 86_400).prefix(10))
            let sinceDay = try await StockpileRunner.run(
                [
                    "readings", "--site", site, "--device", "climate", "--point", "humidity", "--since", yesterday,
                    "--csv",
                ])
            #expect(sinceDay.status == 0 && sinceDay.standardOutput.split(separator: "\n").count >= csvLines.count)
            #expect(await second.terminate().status == 0)
            // With the agent stopped, the held values age past 3 poll intervals and show stale.
            try await Task.sleep(for: .milliseconds(600))
            let stopped = try await StockpileRunner.run(["status", "--site", site])
            let staleRow = try #require(stopped.standardOutput.split(separator: "\n").first { $0.hasPrefix("scale ") })
            #expect(staleRow.contains("gross 2400 kg") && staleRow.contains(" stale "), "\(staleRow)")
            // The agent stopped writing: health says so, not the last transition's `online`.
            let stoppedJSON = try await StockpileRunner.run(["status", "--site", site, "--json"])
            let stoppedDevices = try #require(
                try JSONSerialization.jsonObject(with: Data(stoppedJSON.standardOutput.utf8)) as? [[String: Any]])
            let stoppedScale = try #require(stoppedDevices.first { $0["device"] as? String == "scale" })
            #expect(stoppedScale["health"] as? String == "stale", "\(stoppedScale)")
            // Polling only: the simulator saw reads, never a write.
            for device in ["scale", "climate"] {
                let counters = try await simulator.counters(device)
                #expect(Set(counters.requests.keys).isDisjoint(with: ["5", "6", "15", "16"]), "\(counters.requests)")
            }
        }
    }

    @Test func aKilledAgentLosesAtMostItsLastFlushIntervalAndRestartsOnASoundStore() async throws {
        try await SimulatorProcess.run(scenario: Self.scenario) { simulator in
            let (agent, site) = try await Self.startAgent(Self.site(simulator, flush: "200ms"), in: simulator)
            try await Task.sleep(for: .seconds(1.5))
            // What the store held (committed) just before the kill, as a reader saw it.
            let seen = try await Self.readings(site: site, device: "scale", point: "gross")
            try await Task.sleep(for: .milliseconds(300))
            let killedAt = Date()
            agent.kill()
            #expect(!agent.isRunning)

            let (restarted, _) = try await Self.startAgent(Self.site(simulator, flush: "200ms"), in: simulator)
            try await Task.sleep(for: .seconds(1))
            #expect(await restarted.terminate().status == 0, "\(restarted.standardError)")

            let store = try AppDatabase.openReadOnly(path: Self.storePath(simulator))
            #expect(try await store.integrityCheck() == ["ok"])
            let after = try await store.readings(device: "scale", point: "gross", since: .distantPast)
            let times = Set(after.map { $0.time.timeIntervalSince1970 })
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let seenTimes = seen.compactMap { ($0["time"] as? String).flatMap { formatter.date(from: $0) } }
            #expect(!seenTimes.isEmpty)
            #expect(
                seenTimes.allSatisfy { times.contains($0.timeIntervalSince1970) }, "every committed reading survives")
            // At most a flush interval (200 ms) and a poll (100 ms) were lost before the kill, with
            // room for a loaded test machine.
            let beforeKill = after.filter { $0.time < killedAt }
            let newest = try #require(beforeKill.last?.time)
            #expect(
                killedAt.timeIntervalSince(newest) < 1,
                "newest reading \(killedAt.timeIntervalSince(newest)) s before the kill")
            #expect(after.contains { $0.time > killedAt }, "the restarted agent appends to the same store")
            #expect(after.allSatisfy { $0.value?.number == 2400 && $0.quality == .good })
        }
    }

    @Test func aCommandIsSentOnlyWhenTheSiteEnablesIt() async throws {
        try await SimulatorProcess.run(scenario: Self.scenario) { simulator in
            let path = simulator.directory.appendingPathComponent("site.yaml").path
            try Self.site(simulator, flush: "1s").write(toFile: path, atomically: true, encoding: .utf8)
            let refused = try await StockpileRunner.run(["command", "--site", path, "--device", "scale", "tare"])
            #expect(refused.status == 1)
            #expect(
                refused.standardError.contains(
                    "the site file does not enable \"tare\" for scale (enabled: none)"), "\(refused.standardError)")
            let unknown = try await StockpileRunner.run(["command", "--site", path, "--device", "climate", "tare"])
            #expect(unknown.status == 1)
            #expect(
                unknown.standardError.contains("has no command \"tare\" (it has: none)"), "\(unknown.standardError)")
            var counters = try await simulator.counters("scale")
            #expect(Set(counters.requests.keys).isDisjoint(with: ["5", "6", "15", "16"]), "nothing was written")
            #expect(try await simulator.device("scale").values["tare"] == 0)

            let enabled = Self.site(simulator, flush: "1s").replacingOccurrences(
                of: "    location: {name: bay-1, capacity: 5000, division: 1, class: III}\n",
                with: "    location: {name: bay-1, capacity: 5000, division: 1, class: III}\n    commands: [tare]\n")
            try enabled.write(toFile: path, atomically: true, encoding: .utf8)
            let sent = try await StockpileRunner.run(["command", "--site", path, "--device", "scale", "tare"])
            #expect(sent.status == 0, "\(sent.standardError)")
            #expect(sent.standardOutput.contains("tare sent to scale (unit 1 on main): accepted"))
            counters = try await simulator.counters("scale")
            let writes = counters.requests.filter { ["5", "6", "15", "16"].contains($0.key) }.values.reduce(0, +)
            #expect(writes == 1, "one write, not retried: \(counters.requests)")
            let scale = try await simulator.device("scale")
            #expect(scale.values["tare"] == 2400 && scale.values["net"] == 0, "\(scale.values)")
        }
    }

    @Test func metricsAreServedForPrometheus() async throws {
        try await SimulatorProcess.run(scenario: Self.scenario) { simulator in
            let path = simulator.directory.appendingPathComponent("site.yaml").path
            try Self.site(simulator, flush: "200ms").write(toFile: path, atomically: true, encoding: .utf8)
            let agent = try ChildProcess(["agent", "--site", path, "--metrics", "127.0.0.1:0"], name: "agent")
            defer { agent.kill() }
            let port = try await agent.waitFor { lines in
                lines.first { $0.hasPrefix("metrics http://127.0.0.1:") }
                    .flatMap { Int($0.split(separator: ":").last?.split(separator: "/").first ?? "") }
            }
            try await Task.sleep(for: .seconds(1))
            let (status, body) = try await LoopbackHTTP.exchange(port: port, "GET", "/metrics")
            #expect(status == 200)
            let text = String(decoding: body, as: UTF8.self)
            let lines = text.split(separator: "\n").map(String.init)
            // Healthy devices: health 0 (online), clean polls counted per device and bus.
            #expect(lines.contains(#"stockpile_device_health{bus="main",device="scale"} 0.0"#), "\(text)")
            #expect(lines.contains(#"stockpile_device_health{bus="line1",device="climate"} 0.0"#))
            let polls = lines.first {
                $0.hasPrefix(#"stockpile_polls_total{bus="main",device="scale",outcome="clean"}"#)
            }
            let count = try #require(polls?.split(separator: " ").last.flatMap { Int($0) })
            #expect(count >= 5, "100 ms polls for a second: \(count)")
            #expect(lines.contains { $0.hasPrefix(#"stockpile_bus_round_seconds{bus="main",kind="predicted"}"#) })
            // The readings themselves, with their unit and quality, and a HELP line for every metric.
            let gross = #"stockpile_point_value{bus="main",device="scale",point="gross",unit="kg"} 2400.0"#
            #expect(lines.contains(gross), "\(text)")
            let humidity = #"stockpile_point_value{bus="line1",device="climate",point="humidity",unit="%RH"} 45.0"#
            #expect(lines.contains(humidity))
            #expect(lines.contains(#"stockpile_point_quality{bus="main",device="scale",point="gross"} 0.0"#))
            let families = Set(lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
            let described = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
            #expect(!families.isEmpty && families == described, "without HELP: \(families.subtracting(described))")
            let (missing, _) = try await LoopbackHTTP.exchange(port: port, "GET", "/other")
            #expect(missing == 404)
            #expect(await agent.terminate().status == 0)
        }
    }

    @Test func mistakesAreClearAndExitOne() async throws {
        let missingStore = try await StockpileRunner.run(
            ["readings", "--store", "/nonexistent/stockpile.sqlite", "--device", "x"])
        #expect(missingStore.status == 1)
        #expect(missingStore.standardError.contains("no store at /nonexistent/stockpile.sqlite"))
        let noStore = try await StockpileRunner.run(["status"])
        #expect(noStore.status != 0)
        #expect(noStore.standardError.contains("--site SITE.yaml, --data-dir DIR or --store PATH"))
        let badSite = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bad-site-\(UUID().uuidString).yaml")
        try
            "site: {id: x, name: y}\ndata_directory: d\ndevices:\n  - name: a\n    profile: nowhere.yaml\n    bus: b\n    unit: 1\n"
            .write(to: badSite, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: badSite) }
        let agent = try await StockpileRunner.run(["agent", "--site", badSite.path, "--http", "127.0.0.1:0"])
        #expect(agent.status == 1)
        #expect(agent.standardError.hasPrefix("stockpile: \(badSite.path):"), "\(agent.standardError)")
    }
}
