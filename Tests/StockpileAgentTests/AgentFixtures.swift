import Foundation
import Logging
import Metrics
import MetricsTestKit
import Modbus
import ModbusServing
import ServiceLifecycle
import Simulator
import SimulatorCore
import StockpileAgent
import StockpileAlerts
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Synchronization
import Testing

/// A simulator and an agent, in this process, on real sockets, a real pty and a real SQLite file.
struct Warehouse: Sendable {
    let engine: SimulationEngine
    let simulator: SimulatorService
    let endpoints: [String: SimulatorService.Endpoint]
    let agent: Agent
    let logs: LogRecorder
    let directory: URL

    /// The store, after flushing everything the agent has read so far.
    func readings(_ device: String, _ point: String? = nil) async throws -> [Reading] {
        try await agent.writer.flush()
        return try await agent.database.readings(device: device, point: point, since: Date(timeIntervalSince1970: 0))
    }

    func healthEvents(_ device: String) async throws -> [DeviceHealthEvent] {
        try await agent.writer.flush()
        return try await agent.database.healthEvents(device: device, since: Date(timeIntervalSince1970: 0))
    }

    /// Applies a fault or event to a simulated device, as the scenario's timeline would.
    func trigger(_ action: TimelineEntry.Action, on device: String) {
        #expect(engine.trigger(action, device: device), "the simulator knows \(device)")
    }

    /// Every unit's request counters on every transport.
    func counters() -> [String: [UInt8: ModbusUnitCounters]] {
        var result: [String: [UInt8: ModbusUnitCounters]] = [:]
        for name in endpoints.keys {
            result[name] = simulator.server(for: name)?.counters ?? [:]
        }
        return result
    }

    /// Fails the test if any request the simulator received was a write (FC 5, 6, 15, 16) or if any
    /// unit's bank was written.
    func expectNoWrites() {
        let all = counters()
        // The agent polled something, so an empty count cannot pass for "no writes".
        #expect(all.values.contains { !$0.isEmpty }, "the simulator counted no request at all")
        for (transport, units) in all {
            for (unit, counters) in units {
                #expect(counters.writes == 0, "\(transport) unit \(unit) was written")
                let writes = counters.requests.keys.filter { [5, 6, 15, 16].contains($0) }
                #expect(writes.isEmpty, "\(transport) unit \(unit) received write functions \(writes)")
            }
        }
    }
}

enum AgentFixtures {
    /// Runs `body` with the simulator serving `scenario` and the agent polling `site`, both running.
    ///
    /// In `site`, `$TCP` is replaced by the simulator's first TCP port and `$PTY` by its first RTU
    /// line's pty. The agent's data directory is a fresh temporary one; it is removed afterwards.
    /// The agent is shut down gracefully (as by SIGTERM) before the simulator stops.
    ///
    /// With `dataDirectory`, the agent keeps its store there (and it is not removed): a second run on the
    /// same directory is the same agent restarted.
    static func run<R: Sendable>(
        scenario: String, site: String, dataDirectory: URL? = nil, _ body: (Warehouse) async throws -> R
    ) async throws -> R {
        _ = testMetrics
        let devices = repository.appendingPathComponent("Devices").path
        let loaded = try ScenarioLoader(profileDirectories: [devices])
            .parse(scenario, file: repository.appendingPathComponent("Simulators/agent-test.yaml").path)
        let engine = SimulationEngine(scenario: loaded)
        let simulator = try SimulatorService(engine: engine, logger: Logger(label: "test.simulator"))
        let endpoints = Dictionary(uniqueKeysWithValues: try simulator.start().map { ($0.name, $0) })
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockpile-agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            simulator.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        let ticking = Task { try await simulator.run() }
        defer { ticking.cancel() }

        var text = site
        if let tcp = endpoints.values.first(where: { $0.kind == "tcp" }), let port = tcp.port {
            text = text.replacingOccurrences(of: "$TCP", with: String(port))
        }
        if let rtu = endpoints.values.first(where: { $0.kind == "rtu" }) {
            text = text.replacingOccurrences(of: "$PTY", with: rtu.address)
        }
        let sitePath = directory.appendingPathComponent("site.yaml").path
        try text.write(toFile: sitePath, atomically: true, encoding: .utf8)
        let configuration = try SiteLoader.load(file: sitePath, profileDirectories: [devices])

        let logs = LogRecorder()
        let logger = Logger(label: "test.agent") { _ in logs.handler }
        // The site file's alerts (its defaults when it has none), evaluated five times a second.
        let agent = try Agent(
            site: configuration, dataDirectory: (dataDirectory ?? directory.appendingPathComponent("data")).path,
            alerting: try AlertConfigurationParser.load(site: configuration), alertTick: .milliseconds(200),
            logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: agent.services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                logger: logger))
        let running = Task { try await group.run() }
        let warehouse = Warehouse(
            engine: engine, simulator: simulator, endpoints: endpoints, agent: agent, logs: logs, directory: directory)
        let result: R
        do {
            result = try await body(warehouse)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
        return result
    }

    /// Waits until `condition` holds, checking every 50 ms (`StockpileTestSupport.eventually`).
    @discardableResult
    static func eventually(
        within timeout: Duration = Patience.mustHappen, _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        try await StockpileTestSupport.eventually(within: timeout, condition)
    }
}

/// Every log line the agent wrote, for tests of what it says and how often.
final class LogRecorder: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }

    func lines(_ message: String) -> [Line] {
        all.filter { $0.message == message }
    }

    func append(_ line: Line) {
        lines.withLock { $0.append(line) }
    }

    /// A handler writing here; each logger copy keeps its own metadata, as swift-log expects.
    var handler: RecordingLogHandler { RecordingLogHandler(recorder: self) }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        recorder.append(
            LogRecorder.Line(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
