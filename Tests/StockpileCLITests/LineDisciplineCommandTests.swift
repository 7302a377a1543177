import Foundation
import Glibc
import StockpileTestSupport
import Synchronization
import Testing

enum AgentFixturesCLI {
    /// Waits until `condition` holds, checking every 100 ms (`StockpileTestSupport.eventually`).
    static func eventually(
        within timeout: Duration = Patience.mustHappen, _ condition: () async throws -> Bool
    ) async throws -> Bool {
        try await StockpileTestSupport.eventually(within: timeout, every: .milliseconds(100), condition)
    }
}

/// One master per line, one agent per store, no late answer taken for a fresh one, and a bounded
/// SIGTERM: as an operator and a technician meet them, with separate processes.
@Suite(.serialized) struct LineDisciplineCommandTests {
    static func probeClimate(_ simulator: SimulatorProcess) async throws -> StockpileRunner.Outcome {
        try await StockpileRunner.run([
            "probe", "--rtu", simulator.link ?? "", "--baud", "9600", "--parity", "E", "--unit", "2",
            "--profile", "Devices/sensors/xy-md02.yaml", "--timeout", "0.5",
        ])
    }

    static func temperature(in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("temperature ") }
            .map {
                $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().prefix(3).joined(separator: " ")
            }
    }

    @Test func aProbeThatTimedOutNeverHandsItsLateAnswerToTheNextProbe() async throws {
        try await SimulatorProcess.run(scenario: AgentCommandTests.scenario) { simulator in
            _ = try await simulator.http(
                "POST", "/devices/climate/values", body: #"{"point": "temperature", "value": 11.1}"#)
            try await simulator.addFault("climate", #"{"fault": "slow", "delay": "1500ms"}"#)
            let first = try await Self.probeClimate(simulator)
            #expect(first.status == 1, "the probe timed out: \(first.standardOutput) \(first.standardError)")
            _ = try await simulator.http(
                "POST", "/devices/climate/values", body: #"{"point": "temperature", "value": 22.2}"#)
            _ = try await simulator.http("DELETE", "/devices/climate/faults")
            let second = try await Self.probeClimate(simulator)
            #expect(second.status == 0, "\(second.standardError)")
            #expect(Self.temperature(in: second.standardOutput) == "22.2 °C good", "\(second.standardOutput)")
        }
    }

    @Test func aProbeOnALineTheAgentPollsIsRefusedAtOnceNamingTheLine() async throws {
        try await SimulatorProcess.run(scenario: AgentCommandTests.scenario) { simulator in
            let (agent, _) = try await AgentCommandTests.startAgent(
                AgentCommandTests.site(simulator, flush: "200ms"), in: simulator)
            // The agent has the line once it has read the sensor (its readings are in the store).
            let polled = try await AgentFixturesCLI.eventually {
                try await !AgentCommandTests.readings(
                    site: simulator.directory.appendingPathComponent("site.yaml").path,
                    device: "climate", point: "humidity"
                ).isEmpty
            }
            #expect(polled)
            let probe = try await Self.probeClimate(simulator)
            #expect(probe.status == 1)
            #expect(probe.standardError.contains("in use by another master"), "\(probe.standardError)")
            #expect(probe.standardError.contains(simulator.link ?? "?"), "\(probe.standardError)")
            #expect(await agent.terminate().status == 0)
        }
    }

    @Test func aSecondAgentOnTheSameStoreIsRefusedWithTheFirstOnesPid() async throws {
        try await SimulatorProcess.run(scenario: AgentCommandTests.scenario) { simulator in
            let (agent, site) = try await AgentCommandTests.startAgent(
                AgentCommandTests.site(simulator, flush: "200ms"), in: simulator)
            let second = try await StockpileRunner.run(["agent", "--site", site, "--http", "127.0.0.1:0"])
            #expect(second.status == 1)
            #expect(second.standardError.contains("pid \(agent.processIdentifier)"), "\(second.standardError)")
            #expect(second.standardError.contains("one store takes one agent"))
            #expect(agent.isRunning, "the first agent goes on")
            #expect(await agent.terminate().status == 0)
        }
    }

    /// A pseudo-terminal nobody answers on: every byte the agent sends lands on its master side,
    /// time-stamped, so the test sees what went out after the signal.
    final class SilentLine: Sendable {
        let slavePath: String
        private let master: Int32
        private let slave: Int32
        private let received = Mutex<[(time: ContinuousClock.Instant, count: Int)]>([])
        private let reading = Atomic<Bool>(true)

        init() throws {
            var master: Int32 = -1
            var slave: Int32 = -1
            var raw = termios()
            cfmakeraw(&raw)
            guard openpty(&master, &slave, nil, &raw, nil) == 0 else {
                throw ChildProcess.LaunchError(description: "cannot open a pseudo-terminal: errno \(errno)")
            }
            var name = [CChar](repeating: 0, count: 256)
            _ = ttyname_r(slave, &name, name.count)
            slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            self.master = master
            // Kept open so the master never reads a hang-up while the agent reopens the line.
            self.slave = slave
            let descriptor = master
            let thread = Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 512)
                while reading.load(ordering: .relaxed) {
                    var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                    guard poll(&waiting, 1, 50) > 0 else { continue }
                    let count = read(descriptor, &buffer, buffer.count)
                    if count > 0 { received.withLock { $0.append((.now, count)) } }
                }
            }
            thread.start()
        }

        /// Bytes received after `instant`.
        func bytes(after instant: ContinuousClock.Instant) -> Int {
            received.withLock { $0.filter { $0.time > instant }.map(\.count).reduce(0, +) }
        }

        var total: Int { received.withLock { $0.map(\.count).reduce(0, +) } }

        func close() {
            reading.store(false, ordering: .relaxed)
            usleep(100_000)
            Glibc.close(slave)
            Glibc.close(master)
        }
    }

    @Test func sigtermStopsAnAgentOnThirtyTwoSilentUnitsWithinOneRequestTimeoutAndTheFlush() async throws {
        let line = try SilentLine()
        defer { line.close() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-sigterm-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let devices = (1...32).map { unit in
            "  - {name: sensor-\(unit), profile: sensors/xy-md02.yaml, bus: line1, unit: \(unit), zone: hall}"
        }
        let site = """
            site: {id: sigterm-test, name: SIGTERM test}
            data_directory: \(directory.appendingPathComponent("data").path)
            store: {flush_interval: 1s}
            defaults: {poll: 1s, timeout: 1s, retries: 2}
            rtu:
              - {name: line1, device: \(line.slavePath), baud: 9600, parity: E}
            devices:
            \(devices.joined(separator: "\n"))
            """
        let sitePath = directory.appendingPathComponent("site.yaml").path
        try site.write(toFile: sitePath, atomically: true, encoding: .utf8)
        let agent = try ChildProcess(["agent", "--site", sitePath, "--http", "127.0.0.1:0"], name: "agent")
        _ = try await agent.waitFor { lines in lines.first { $0.hasPrefix("agent sigterm-test: 32 devices on 1 bus") } }
        // Well into the first batch: 32 units × 3 attempts × 1 s would take 96 s to finish.
        _ = try await agent.waitFor(within: .seconds(20)) { _ in line.total >= 8 * 3 ? true : nil }
        let signalled = ContinuousClock.now
        let (reason, status) = await agent.terminate()
        let took = ContinuousClock.now - signalled
        #expect(reason == .exit && status == 0, "\(agent.standardError)")
        // One 8-byte request may have been on its way as the signal came; nothing after it.
        #expect(line.bytes(after: signalled) <= 8, "\(line.bytes(after: signalled)) bytes sent after SIGTERM")
        print("SIGTERM to exit, 32 silent RTU units (timeout 1 s, retries 2): \(took)")
    }
}
