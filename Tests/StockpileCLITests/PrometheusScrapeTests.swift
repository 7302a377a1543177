import Foundation
import StockpileTestSupport
import Testing

/// `stockpile agent --metrics` scraped by a real Prometheus (Debian's `prometheus`, on loopback with
/// its own config), every series family checked through Prometheus' own query API.
@Suite(.serialized) struct PrometheusScrapeTests {
    /// The simulator serves `scale` (TCP, unit 1) and `climate` (the line, unit 2) only. The site adds
    /// a device behind the TCP "gateway" that has no unit 7 (it answers exception 11) and one on the
    /// serial line with no unit 5 (silence: timeouts), and a webhook receiver on a port nobody listens on.
    static func site(_ simulator: SimulatorProcess, deadPort: Int) -> String {
        """
        site: {id: prometheus-test, name: Prometheus test}
        data_directory: \(simulator.directory.appendingPathComponent("data").path)
        store: {flush_interval: 200ms}
        defaults: {poll: 200ms, timeout: 300ms, retries: 0, offline_after: 2, quarantine_max: 1s}
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
          - name: gateway-ghost
            profile: scales/laumas-tlu.yaml
            bus: main
            unit: 7
            location: {name: bay-2, capacity: 5000, division: 1, class: III}
          - name: climate
            profile: sensors/xy-md02.yaml
            bus: line1
            unit: 2
            zone: bay
          - name: line-ghost
            profile: sensors/xy-md02.yaml
            bus: line1
            unit: 5
            zone: bay
        alerts:
          defaults:
            device_offline: {for: 0s}
          receivers:
            - name: dead-hook
              type: webhook
              url: "http://127.0.0.1:\(deadPort)/alerts"
              group_wait: 0s
              timeout: 2s
              retry: {initial: 1s, max: 2s}
        """
    }

    /// The value of a query's only sample, or nil when it has none or several.
    static func single(_ samples: [PrometheusProcess.Sample]) -> Double? {
        samples.count == 1 ? samples[0].value : nil
    }

    @Test func aRealPrometheusScrapesEverySeriesFamilyTheAgentServes() async throws {
        try await SimulatorProcess.run(scenario: AgentCommandTests.scenario) { simulator in
            let path = simulator.directory.appendingPathComponent("site.yaml").path
            try Self.site(simulator, deadPort: try LoopbackPort.free())
                .write(toFile: path, atomically: true, encoding: .utf8)
            let agent = try ChildProcess(["agent", "--site", path, "--metrics", "127.0.0.1:0"], name: "agent")
            defer { agent.kill() }
            // "metrics http://127.0.0.1:PORT/metrics": the target and its path, as an operator copies them.
            let url = try await agent.waitFor { lines in
                lines.first { $0.hasPrefix("metrics http://") }.flatMap { URL(string: String($0.dropFirst(8))) }
            }
            let target = try #require(url.host.flatMap { host in url.port.map { "\(host):\($0)" } }, "\(url)")
            let prometheus = try PrometheusProcess(scraping: target, metricsPath: url.path)
            defer { prometheus.stop() }
            try await prometheus.waitUntilReady()
            let targets = try await prometheus.waitUntilTargetsUp()
            #expect(
                targets.count == 1 && targets.allSatisfy { $0.health == "up" && $0.scrapeURL == url.absoluteString },
                "\(targets.map { "\($0.scrapeURL) \($0.health) \($0.lastError)" }) \(prometheus.log)")

            // Requests per device: the scale's, counted by the agent, are no more than the simulator received.
            let requests = try await prometheus.query(#"stockpile_modbus_requests_total{device="scale"}"#) {
                (Self.single($0) ?? 0) > 0
            }
            #expect(requests.first?.labels["bus"] == "main", "\(requests)")
            let received = try await simulator.counters("scale").requests.values.reduce(0, +)
            let counted = try #require(Self.single(requests))
            #expect(counted > 0 && counted <= Double(received), "agent counted \(counted), simulator got \(received)")

            // Errors by kind: the ghost on the line times out, the gateway answers exception 11 for its ghost.
            let timeouts = try await prometheus.query(
                #"stockpile_modbus_errors_total{device="line-ghost",kind="timeout"}"#
            ) { (Self.single($0) ?? 0) > 0 }
            #expect((Self.single(timeouts) ?? 0) > 0, "\(timeouts)")
            let refusals = try await prometheus.query(
                #"stockpile_modbus_errors_total{device="gateway-ghost",kind="exception_11"}"#
            ) { (Self.single($0) ?? 0) > 0 }
            #expect((Self.single(refusals) ?? 0) > 0, "\(refusals)")
            let ghostKinds = try await prometheus.query(#"stockpile_modbus_errors_total{device="line-ghost"}"#)
            #expect(ghostKinds.map { $0.labels["kind"] } == ["timeout"], "\(ghostKinds)")

            // Polls and health: the served scale polls clean and is online, the ghosts go offline (2).
            let clean = try await prometheus.query(#"stockpile_polls_total{device="scale",outcome="clean"}"#)
            #expect((Self.single(clean) ?? 0) > 0, "\(clean)")
            let health = try await prometheus.query(#"stockpile_device_health"#) { samples in
                samples.filter { $0.labels["device"]?.hasSuffix("-ghost") == true }.map(\.value) == [2, 2]
            }
            let healthByDevice = Dictionary(uniqueKeysWithValues: health.map { ($0.labels["device"] ?? "", $0.value) })
            #expect(
                healthByDevice == ["scale": 0, "climate": 0, "gateway-ghost": 2, "line-ghost": 2], "\(healthByDevice)")

            // The bus histogram: 1 ms .. 5 s buckets and +Inf, and on the line the 300 ms timeouts above 250 ms.
            let buckets = try await prometheus.query(#"stockpile_bus_poll_seconds_bucket{bus="line1"}"#)
            let bounds = Set(buckets.compactMap { $0.labels["le"] })
            #expect(
                bounds == [
                    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0",
                    "+Inf",
                ], "\(bounds)")
            let quick = try #require(buckets.first { $0.labels["le"] == "0.25" }?.value)
            let all = try #require(buckets.first { $0.labels["le"] == "+Inf" }?.value)
            #expect(all > 0 && quick < all, "polls within 250 ms: \(quick) of \(all)")
            let mainPolls = try await prometheus.query(#"stockpile_bus_poll_seconds_count{bus="main"}"#)
            #expect((Self.single(mainPolls) ?? 0) > 0, "\(mainPolls)")

            // The store: readings written and the flushes' batch latency.
            let written = try await prometheus.query("stockpile_readings_written_total") {
                (Self.single($0) ?? 0) > 0
            }
            #expect((Self.single(written) ?? 0) > 0, "\(written)")
            let batches = try await prometheus.query("stockpile_store_batch_seconds_count") {
                (Self.single($0) ?? 0) > 0
            }
            #expect((Self.single(batches) ?? 0) > 0, "\(batches)")
            let batchBounds = try await prometheus.query("stockpile_store_batch_seconds_bucket")
            #expect(batchBounds.contains { $0.labels["le"] == "10.0" }, "\(batchBounds)")

            // Alerts: each ghost's device_offline (warning, for 0s) fires; its notification cannot be delivered.
            let firing = try await prometheus.query(#"stockpile_alerts_firing{severity="warning"}"#) {
                (Self.single($0) ?? 0) >= 2
            }
            #expect((Self.single(firing) ?? 0) >= 2, "\(firing)")
            let failures = try await prometheus.query(
                #"stockpile_notification_failures_total{receiver="dead-hook",kind="connection"}"#
            ) { (Self.single($0) ?? 0) > 0 }
            #expect((Self.single(failures) ?? 0) > 0, "\(failures)")

            // Every new family arrived with its HELP text.
            for family in [
                "stockpile_modbus_requests_total", "stockpile_modbus_errors_total", "stockpile_bus_poll_seconds",
                "stockpile_readings_written_total", "stockpile_store_batch_seconds",
                "stockpile_notification_failures_total",
            ] {
                let help = try await prometheus.help(for: family)
                #expect(help?.isEmpty == false, "\(family): \(String(describing: help))")
            }
            prometheus.stop()
            #expect(await agent.terminate().status == 0, "\(agent.standardError)")
        }
    }
}
