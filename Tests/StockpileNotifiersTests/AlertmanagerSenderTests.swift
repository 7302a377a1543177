import AsyncHTTPClient
import Foundation
import NIOCore
import StockpileAlerts
import StockpileNotifiers
import StockpileTestSupport
import Testing

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
