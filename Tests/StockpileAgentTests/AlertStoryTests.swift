import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import SimulatorCore
import StockpileAgent
import StockpileAlerts
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Synchronization
import Testing

/// The demo's alert story on a real simulator, agent, store and HTTP receiver, on a compressed timeline
/// (seconds where the demo takes minutes, and the rules' durations scaled with it): bay B's humidity
/// excursion with its hysteresis, the dock sensor's silence as one no-data alert, the unrecorded removal
/// at bay B1 as a critical alert that lights the beacon until it is acknowledged.
@Suite("Alerts, end to end")
struct AlertStoryTests {
    static let scenario = """
        name: alert-story
        seed: 9
        step: 50ms
        tcp:
          - {name: main, port: 0}
        devices:
          - name: bay-b1-scale
            profile: scales/flintec-ft11.yaml
            transport: main
            unit: 4
            model: scale
            parameters: {capacity: 5000, division: 1, load: 750, noise_divisions: 0, settling_s: 1}
          - name: zone-b-climate
            profile: sensors/vaisala-hmp.yaml
            transport: main
            unit: 21
            model: environment
            parameters: {temperature: 18.5, temperature_amplitude: 0, humidity: 40, humidity_amplitude: 0, humidity_noise: 0.1}
          - name: zone-c-climate
            profile: sensors/vaisala-hmp.yaml
            transport: main
            unit: 12
            model: environment
            parameters: {temperature: 16, temperature_amplitude: 0, humidity: 50, humidity_amplitude: 0}
          - name: doors-io
            profile: io/generic-8ch-io.yaml
            transport: main
            unit: 31
            model: io
        """

    static let site = """
        site: {id: alert-story, name: Alert story}
        data_directory: unused
        store: {flush_interval: 200ms}
        defaults: {poll: 200ms, timeout: 300ms, retries: 0}
        tcp:
          - {name: main, host: 127.0.0.1, port: $TCP}
        devices:
          - {name: bay-b1-scale, profile: scales/flintec-ft11.yaml, bus: main, unit: 4, zone: bay-b, location: {name: bay-b1, capacity: 5000, division: 1, class: III}}
          - {name: zone-b-climate, profile: sensors/vaisala-hmp.yaml, bus: main, unit: 21, zone: bay-b}
          - {name: zone-c-climate, profile: sensors/vaisala-hmp.yaml, bus: main, unit: 12, zone: dock}
          - {name: doors-io, profile: io/generic-8ch-io.yaml, bus: main, unit: 31}
        alerts:
          defaults:
            device_offline: {for: 1s}
            humidity_above_material_limit: off
          rules:
            - {name: bay_b_humidity, kind: threshold, device: zone-b-climate, point: humidity, above: 65, clear_margin: 3, for: 2s}
          receivers:
            - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/alerts", group_wait: 0s, group_interval: 1s, repeat_interval: 1h}
            - {name: alertmanager, type: alertmanager, url: "$ALERTMANAGER", resend_interval: 1s}
            - {name: hanging, type: webhook, url: "http://127.0.0.1:$HOOK/hang", timeout: 60s, group_wait: 0s}
          beacon: {device: doors-io, coil: beacon}
        """

    static func ledger(opening: Date) -> [LedgerRecord] {
        [
            .material(Material(code: "DY2O3", name: "Dy2O3", hygroscopic: false)),
            .lot(
                Lot(
                    id: "DY-2026-027", material: "DY2O3", location: "bay-b1", containerKind: "drum", containerCount: 3,
                    tarePerContainer: 18)),
            .transaction(
                LedgerTransaction(
                    kind: .opening, time: opening, lot: "DY-2026-027", location: "bay-b1", quantity: 696,
                    actor: "stockkeeper", document: "OB-4")),
        ]
    }

    @Test("humidity with hysteresis, one no-data alert, a critical removal lighting the beacon until acknowledged")
    func story() async throws {
        let alertmanager = try AlertmanagerProcess()
        try await alertmanager.waitUntilReady(HTTPClient.shared)
        try await WebhookReceiver.run { hook in
            let site = Self.site.replacingOccurrences(of: "$HOOK", with: String(hook.port))
                .replacingOccurrences(of: "$ALERTMANAGER", with: alertmanager.baseURL)
            try await AgentFixtures.run(scenario: Self.scenario, site: site) { warehouse in
                try await story(warehouse, hook: hook, alertmanager: alertmanager)
            }
        }
    }

    /// The names of the alerts Alertmanager holds as active.
    static func names(_ alerts: [[String: Any]]) -> Set<String> {
        Set(alerts.compactMap { ($0["labels"] as? [String: String])?["alertname"] })
    }

    func story(_ warehouse: Warehouse, hook: WebhookReceiver, alertmanager: AlertmanagerProcess) async throws {
        let database = warehouse.agent.database
        let loop = warehouse.agent.alerts.loop
        try await database.appendLedger(
            Self.ledger(opening: Date().addingTimeInterval(-3600)), locations: warehouse.agent.site.ledgerLocations)
        func alerts(_ rule: String) async -> [Alert] { await loop.alerts.filter { $0.rule == rule } }
        let quiet = await AgentFixtures.eventually(within: .seconds(30)) {
            let observed = warehouse.agent.observations.snapshot()
            return observed.count == 4 && observed.values.allSatisfy { $0.health == .online }
        }
        #expect(quiet)
        #expect(await loop.alerts.filter { $0.state.isOpen }.isEmpty)

        // 1. Bay B's humidity: 40 → 72 %RH over 4 s, held 4 s, back over 4 s.
        warehouse.trigger(.event(.humidityExcursion(target: 72, ramp: 4, hold: 4)), on: "zone-b-climate")
        let firing = await AgentFixtures.eventually(within: .seconds(20)) {
            await alerts("bay_b_humidity").contains { $0.state == .firing }
        }
        #expect(firing)
        // The real Alertmanager holds it while it fires...
        let held = try await alertmanager.alerts(HTTPClient.shared, within: 20) {
            Self.names($0).contains("bay_b_humidity")
        }
        #expect(Self.names(held).contains("bay_b_humidity"), "\(held)")
        // ...and a webhook that hangs for a minute holds up neither the polls nor the other receivers.
        let hangStarted = await AgentFixtures.eventually(within: .seconds(20)) { hook.hanging() > 0 }
        #expect(hangStarted)
        let whileHanging = Date()
        let resolved = await AgentFixtures.eventually(within: .seconds(30)) {
            await alerts("bay_b_humidity").contains { $0.state == .resolved }
        }
        #expect(resolved)
        let humidity = try #require(await alerts("bay_b_humidity").first)
        let history = humidity.history.map(\.to)
        #expect(history == [.pending, .firing, .resolved], "\(humidity.history)")
        let pendingAt = try #require(humidity.history.first { $0.to == .pending }?.at)
        let firedAt = try #require(humidity.history.first { $0.to == .firing }?.at)
        let resolvedAt = try #require(humidity.history.first { $0.to == .resolved }?.at)
        #expect(firedAt.timeIntervalSince(pendingAt) >= 2, "fires only after its `for`")
        // Hysteresis: it resolved at or below 62 %RH, and readings between 62 and 65 came before that.
        #expect((humidity.history.last?.value ?? 100) <= 62)
        let readings = try await warehouse.readings("zone-b-climate", "humidity")
        let band = readings.filter {
            $0.time > firedAt && $0.time < resolvedAt && ($0.value?.number).map { $0 > 62 && $0 <= 65 } == true
        }
        #expect(!band.isEmpty, "a reading inside the clearing band, while the alert still fired")
        let released = try await alertmanager.alerts(HTTPClient.shared, within: 20) {
            !Self.names($0).contains("bay_b_humidity")
        }
        #expect(!Self.names(released).contains("bay_b_humidity"), "resolved in Alertmanager too: \(released)")
        // All the while the hanging request was open: the polls went on at their pace.
        #expect(hook.hanging() > 0, "the hanging receiver's request is still open")
        let polled = readings.filter { $0.time > whileHanging }.count
        #expect(polled >= 10, "zone-b-climate polled \(polled) times while a receiver hung")

        // 2. The dock sensor is silent for 3 s: one no-data alert, resolved when it answers again.
        warehouse.trigger(.fault(Fault(kind: .offline, duration: 3)), on: "zone-c-climate")
        let silent = await AgentFixtures.eventually(within: .seconds(20)) {
            await alerts("device_offline").contains { $0.labels["device"] == "zone-c-climate" && $0.state == .firing }
        }
        #expect(silent)
        let back = await AgentFixtures.eventually(within: .seconds(20)) {
            await alerts("device_offline").contains { $0.labels["device"] == "zone-c-climate" && $0.state == .resolved }
        }
        #expect(back)
        #expect(await alerts("device_offline").count == 1, "one alert for the whole silence")

        // 3. 25 kg leave bay B1 with no transaction: a critical alert, and the beacon lights.
        let steady = try await AgentFixtures.eventually(within: .seconds(20)) {
            try await warehouse.readings("bay-b1-scale", "gross").filter { $0.quality == .good }.count >= 8
        }
        #expect(steady)
        warehouse.trigger(.event(.addLoad(-25)), on: "bay-b1-scale")
        let settled = try await AgentFixtures.eventually(within: .seconds(30)) {
            try await warehouse.readings("bay-b1-scale", "gross").suffix(8).allSatisfy {
                $0.quality == .good && $0.value?.number == 725
            }
        }
        #expect(settled)
        let watch = MovementWatchService(
            site: warehouse.agent.site, database: database,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await watch.scan(now: Date())
        let critical = await AgentFixtures.eventually(within: .seconds(30)) {
            await alerts("unrecorded_movement").contains { $0.state == .firing && $0.severity == .critical }
        }
        #expect(critical)
        let lit = await AgentFixtures.eventually(within: .seconds(20)) {
            warehouse.engine.status(of: "doors-io")?.values["beacon"] == .bool(true)
        }
        #expect(lit, "the beacon coil is set while a critical alert fires")

        // 4. Acknowledged: the record stays, the beacon goes off.
        let removal = try #require(await alerts("unrecorded_movement").first)
        let request = try await database.requestAcknowledgement(
            alert: removal.id, by: "duty-officer", comment: "bay B1 checked, drum moved to quarantine", at: Date())
        let done = try await AgentFixtures.eventually(within: .seconds(10)) {
            try await database.request(id: request)?.doneAt != nil
        }
        #expect(done)
        #expect(try await database.request(id: request)?.outcome == nil, "the acknowledgement was accepted")
        let dark = await AgentFixtures.eventually(within: .seconds(20)) {
            warehouse.engine.status(of: "doors-io")?.values["beacon"] == .bool(false)
        }
        #expect(dark, "the beacon coil is cleared once no critical alert fires unacknowledged")
        #expect(try await database.alert(id: removal.id)?.acknowledgement?.by == "duty-officer")

        // The only writes the agent made: the beacon coil of doors-io, on and off.
        let writes = warehouse.engine.status(of: "doors-io")?.writes ?? []
        #expect(writes.count >= 2, "\(writes)")
        for (transport, units) in warehouse.counters() {
            for (unit, counters) in units where unit != 31 {
                #expect(counters.writes == 0, "\(transport) unit \(unit) was written")
            }
        }

        // The receiver got Alertmanager webhook bodies: firing for the humidity, then resolved.
        let bodies = hook.bodies()
        #expect(!bodies.isEmpty)
        for body in bodies { WebhookReceiver.expectAlertmanagerWebhook(body) }
        let statuses = bodies.compactMap { body -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let alerts = object["alerts"] as? [[String: Any]],
                alerts.contains(where: { ($0["labels"] as? [String: String])?["alertname"] == "bay_b_humidity" })
            else { return nil }
            return object["status"] as? String
        }
        #expect(statuses.first == "firing" && statuses.contains("resolved"), "\(statuses)")
    }
}

/// A restart on the same store: the open alert comes back with its id and history, and the receiver is
/// not told again what it was told before the restart.
@Suite("Alerts across a restart")
struct AlertRestartTests {
    static let scenario = """
        name: alert-restart
        seed: 2
        step: 50ms
        tcp:
          - {name: main, port: 0}
        devices:
          - name: zone-b-climate
            profile: sensors/vaisala-hmp.yaml
            transport: main
            unit: 21
            model: environment
          - name: zone-c-climate
            profile: sensors/vaisala-hmp.yaml
            transport: main
            unit: 12
            model: environment
        timeline:
          - {at: 0s, device: zone-c-climate, fault: offline}
        """

    static let site = """
        site: {id: alert-restart, name: Alert restart}
        data_directory: unused
        store: {flush_interval: 200ms}
        defaults: {poll: 200ms, timeout: 300ms, retries: 0}
        tcp:
          - {name: main, host: 127.0.0.1, port: $TCP}
        devices:
          - {name: zone-b-climate, profile: sensors/vaisala-hmp.yaml, bus: main, unit: 21, zone: bay-b}
          - {name: zone-c-climate, profile: sensors/vaisala-hmp.yaml, bus: main, unit: 12, zone: dock}
        alerts:
          defaults: {device_offline: {for: 1s}}
          receivers:
            - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/alerts", group_wait: 0s, repeat_interval: 1h}
        """

    @Test("the open alert is restored with its id, and nothing is sent again")
    func restart() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-restart-\(UUID())")
        defer { try? FileManager.default.removeItem(at: data) }
        try await WebhookReceiver.run { hook in
            let site = Self.site.replacingOccurrences(of: "$HOOK", with: String(hook.port))
            let first = try await AgentFixtures.run(scenario: Self.scenario, site: site, dataDirectory: data) {
                warehouse in
                // Told, and the agent knows it was: the receiver answered and the delivery is on record.
                let told = try await AgentFixtures.eventually(within: .seconds(30)) {
                    let firing = await warehouse.agent.alerts.loop.alerts.contains { $0.state == .firing }
                    let recorded = try await warehouse.agent.database.deliveries().contains { $0.sent > 0 }
                    return firing && !hook.bodies().isEmpty && recorded
                }
                #expect(told)
                return try #require(await warehouse.agent.alerts.loop.alerts.first { $0.state == .firing })
            }
            #expect(first.labels["device"] == "zone-c-climate")
            let sent = hook.bodies().count
            try await AgentFixtures.run(scenario: Self.scenario, site: site, dataDirectory: data) { warehouse in
                // Long enough for the device to be judged offline again and for several ticks to pass.
                let offlineAgain = await AgentFixtures.eventually(within: .seconds(30)) {
                    warehouse.agent.observations.snapshot()["zone-c-climate"]?.health == .offline
                }
                #expect(offlineAgain)
                try await Task.sleep(for: .seconds(2))
                let alerts = await warehouse.agent.alerts.loop.alerts
                #expect(alerts.map(\.id) == [first.id], "the same alert, not a new one: \(alerts)")
                #expect(alerts.first?.state == .firing)
                #expect(alerts.first?.history == first.history, "no transition added by the restart")
            }
            #expect(hook.bodies().count == sent, "the receiver was not told again")
        }
    }
}

/// An HTTP receiver on loopback that keeps every body POSTed to it.
struct WebhookReceiver: Sendable {
    final class ReceivedBodies: Sendable {
        let bodies = Mutex<[Data]>([])
        /// Requests to `/hang` that have not been answered (each waits a minute).
        let hanging = Mutex(0)
        func append(_ body: Data) { bodies.withLock { $0.append(body) } }
    }

    let port: Int
    let store: ReceivedBodies

    func bodies() -> [Data] { store.bodies.withLock { $0 } }

    /// Requests to `/hang` still waiting for their answer.
    func hanging() -> Int { store.hanging.withLock { $0 } }

    /// Runs `body` with a receiver listening on a free loopback port; the server stops afterwards.
    static func run<R: Sendable>(_ body: (WebhookReceiver) async throws -> R) async throws -> R {
        let store = ReceivedBodies()
        let router = Router()
        router.post("/alerts") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            store.append(Data(buffer.readableBytesView))
            return .ok
        }
        router.post("/hang") { _, _ -> HTTPResponse.Status in
            store.hanging.withLock { $0 += 1 }
            defer { store.hanging.withLock { $0 -= 1 } }
            try await Task.sleep(for: .seconds(60))
            return .ok
        }
        let started = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in started.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "test.webhook", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var ports = started.stream.makeAsyncIterator()
            let port = await ports.next() ?? 0
            defer { group.cancelAll() }
            return try await body(WebhookReceiver(port: port, store: store))
        }
    }

    /// Checks a body against Alertmanager's webhook format (version 4): every field, of its JSON type.
    static func expectAlertmanagerWebhook(_ body: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            Issue.record("not a JSON object: \(String(decoding: body, as: UTF8.self))")
            return
        }
        #expect(object["version"] as? String == "4")
        #expect(object["groupKey"] is String)
        #expect(object["truncatedAlerts"] is Int)
        #expect(["firing", "resolved"].contains(object["status"] as? String))
        #expect(object["receiver"] as? String == "hook")
        for key in ["groupLabels", "commonLabels", "commonAnnotations"] {
            #expect(object[key] is [String: String], "\(key)")
        }
        #expect(object["externalURL"] is String)
        let alerts = object["alerts"] as? [[String: Any]] ?? []
        #expect(!alerts.isEmpty)
        for alert in alerts {
            #expect(["firing", "resolved"].contains(alert["status"] as? String))
            #expect(alert["labels"] is [String: String])
            #expect(alert["annotations"] is [String: String])
            for key in ["startsAt", "endsAt"] {
                let text = alert[key] as? String ?? ""
                #expect(
                    (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) != nil
                        || (try? Date.ISO8601FormatStyle().parse(text)) != nil, "\(key): \(text)")
            }
            #expect(alert["generatorURL"] is String)
            #expect((alert["fingerprint"] as? String)?.count == 16)
        }
    }
}
