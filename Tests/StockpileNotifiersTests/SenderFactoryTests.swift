import AsyncHTTPClient
import Foundation
import StockpileAlerts
@testable import StockpileNotifiers
import Testing

@Suite("Sender factory and targets")
struct SenderFactoryTests {
    @Test("each receiver kind gets its sender, the log receiver none")
    func kinds() async throws {
        try await withHTTPClient { client in
            func make(_ kind: AlertReceiver.Kind) -> (any AlertSender)? {
                SenderFactory.sender(
                    for: AlertReceiver(name: "r", kind: kind, policy: NotificationPolicy()),
                    externalURL: "http://stockpile.local", httpClient: client, logger: quietLogger)
            }
            #expect(make(.log) == nil)
            #expect(
                (make(.webhook(url: "http://127.0.0.1:1/")) as? WebhookSender)?.externalURL == "http://stockpile.local")
            #expect(make(.alertmanager(baseURL: "http://127.0.0.1:1")) is AlertmanagerSender)
            let command = make(.command(path: "/bin/true", arguments: ["a b"], timeout: .seconds(3))) as? CommandSender
            #expect(command?.arguments == ["a b"])
            #expect(command?.timeout == .seconds(3))
        }
    }

    @Test("an Alertmanager behind a path prefix gets /api/v2/alerts under it, postable alerts ending 4 resends ahead")
    func alertmanagerPath() async throws {
        let before = Date()
        let requests = try await RecordingReceiver.run { server in
            try await withHTTPClient { client in
                let receiver = AlertReceiver(
                    name: "am-prefixed", kind: .alertmanager(baseURL: "http://127.0.0.1:\(server.port)/am/"),
                    policy: NotificationPolicy(repeatInterval: .seconds(60)))
                let sender = try #require(AlertmanagerSender(receiver, httpClient: client, logger: quietLogger))
                try await sender.send(bayNotification(receiver: "am-prefixed"))
            }
            return server.requests
        }
        let request = try #require(requests.first)
        #expect(request.path == "/am/api/v2/alerts")
        #expect(request.headers["content-type"] == "application/json")
        let alerts = try JSONDecoder().decode([AlertmanagerPostableAlert].self, from: request.body)
        #expect(alerts.map { $0.labels["alertname"] } == ["humid", "loss"])
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func instant(_ text: String) -> Date? {
            formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
        }
        // Firing: four resend intervals (240 s) after the send; resolved: its own end, before the send.
        let firingEnd = try #require(instant(alerts[0].endsAt))
        #expect(firingEnd.timeIntervalSince(before) > 239.99)  // the payload keeps milliseconds, rounded down
        let resolvedEnd = try #require(instant(alerts[1].endsAt))
        #expect(resolvedEnd <= Date())
        #expect(resolvedEnd < firingEnd)
    }

    @Test("user information becomes Basic authentication; the printed form has neither it nor the query")
    func targets() {
        let target = HTTPTarget("https://ops:pa%3Ass@alerts.example:8443/hooks/stockpile?token=abc#x")
        // base64("ops:pa:ss"): the password is sent decoded [RFC 7617 §2].
        #expect(target.authorization == "Basic b3BzOnBhOnNz")
        #expect(target.url == "https://alerts.example:8443/hooks/stockpile?token=abc")
        #expect(target.redacted == "https://alerts.example:8443/hooks/stockpile")
        #expect(HTTPTarget("http://am:9093", appending: "/api/v2/alerts").url == "http://am:9093/api/v2/alerts")
        #expect(HTTPTarget("ftp://files.example/x").url == nil)
        #expect(HTTPTarget("not a url").url == nil)
    }
}
