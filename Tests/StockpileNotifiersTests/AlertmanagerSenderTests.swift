import AsyncHTTPClient
import Foundation
import NIOCore
import StockpileAlerts
import StockpileNotifiers
import Testing

/// A real Alertmanager (Debian's `prometheus-alertmanager`) on loopback ports, with its own config
/// (one null receiver), clustering off and its storage in a temporary directory; killed at the end.
final class AlertmanagerProcess {
    static let binary = "/usr/bin/prometheus-alertmanager"

    let process: Process
    let port: Int
    let directory: URL

    init() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary),
            "\(Self.binary) is missing: install it with `apt-get install -y prometheus-alertmanager` (`make deps` does)"
        )
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-alertmanager-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("alertmanager.yml")
        try "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n".write(
            to: config, atomically: true, encoding: .utf8)
        port = try freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ]
        process.standardOutput = FileHandle.nullDevice
        let log = directory.appendingPathComponent("alertmanager.log")
        try Data().write(to: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Its log so far, for a failure's message.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("alertmanager.log"), encoding: .utf8)) ?? ""
    }

    /// Waits (at most about 20 s) until `/-/ready` answers 200.
    func waitUntilReady(_ client: HTTPClient) async throws {
        for _ in 0..<200 {
            try #require(process.isRunning, "alertmanager exited: \(log)")
            let request = HTTPClientRequest(url: "\(baseURL)/-/ready")
            if let response = try? await client.execute(request, timeout: .seconds(1)), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("alertmanager never became ready: \(log)")
    }

    /// `GET /api/v2/alerts`: the alerts it holds that are not resolved.
    func alerts(_ client: HTTPClient) async throws -> [[String: Any]] {
        let response = try await client.execute(
            HTTPClientRequest(url: "\(baseURL)/api/v2/alerts"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .ok)
        return try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]])
    }

    /// Polls `alerts` (at most about 10 s) until `done` holds for them.
    func alerts(_ client: HTTPClient, until done: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        var alerts = try await alerts(client)
        for _ in 0..<100 where !done(alerts) {
            try await Task.sleep(for: .milliseconds(100))
            alerts = try await self.alerts(client)
        }
        return alerts
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("Alertmanager sender, against a real Alertmanager")
struct AlertmanagerSenderTests {
    @Test("a firing alert shows active in Alertmanager's API with its labels; resolved, it leaves the active alerts")
    func pushAndResolve() async throws {
        let alertmanager = try AlertmanagerProcess()
        try await withHTTPClient { client in
            try await alertmanager.waitUntilReady(client)
            let receiver = AlertReceiver(
                name: "site-am", kind: .alertmanager(baseURL: alertmanager.baseURL + "/"),
                policy: NotificationPolicy(groupBy: ["..."], repeatInterval: .seconds(60), repeatAcknowledged: true))
            let sender = try #require(
                SenderFactory.sender(for: receiver, httpClient: client, logger: quietLogger) as? AlertmanagerSender)
            #expect(sender.resendInterval == .seconds(60))

            // The humid alert of the bay group, firing, on its own as the Alertmanager receiver sends it.
            let group = bayNotification(receiver: "site-am")
            let firing = try #require(group.alerts.first { $0.state.isFiring })
            var notification = group
            notification.alerts = [firing]
            try await sender.send(notification)
            let active = try await alertmanager.alerts(client) { alerts in
                alerts.contains { ($0["status"] as? [String: Any])?["state"] as? String == "active" }
            }
            let shown = try #require(active.first)
            #expect(active.count == 1)
            #expect(shown["labels"] as? [String: String] == firing.labels)
            #expect((shown["status"] as? [String: Any])?["state"] as? String == "active")
            #expect((shown["annotations"] as? [String: String])?["summary"] == "humidity 66.5 %")
            // Alertmanager's own fingerprint of the labels is the one Stockpile computes.
            #expect(shown["fingerprint"] as? String == firing.fingerprint)

            // Resolved: sent once with its real end, and gone from the active alerts.
            var tracker = AlertTracker(alerts: [firing])
            let cleared = AlertCondition(
                rule: firing.rule, labels: firing.labels, severity: firing.severity, status: .inactive)
            _ = tracker.update(conditions: [cleared], now: Date())
            let resolved = try #require(tracker.alerts.first)
            #expect(!resolved.state.isFiring)
            notification.alerts = [resolved]
            try await sender.send(notification)
            let after = try await alertmanager.alerts(client) { $0.isEmpty }
            #expect(after.isEmpty, "still active: \(after)")
            #expect(deliveries("site-am", "success") == 2)
        }
    }

    @Test("an Alertmanager that is not running is a connection error")
    func notRunning() async throws {
        let closed = try LoopbackSocket(listening: false)
        let port = closed.port
        let receiver = AlertReceiver(
            name: "am-down", kind: .alertmanager(baseURL: "http://127.0.0.1:\(port)"), policy: NotificationPolicy(),
            timeout: .seconds(1))
        let error = try await withHTTPClient { client in
            let sender = try #require(AlertmanagerSender(receiver, httpClient: client, logger: quietLogger))
            return await #expect(throws: DeliveryError.self) {
                try await sender.send(bayNotification(receiver: "am-down"))
            }
        }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("http://127.0.0.1:\(port)/api/v2/alerts") == true)
        withExtendedLifetime(closed) {}
    }
}
