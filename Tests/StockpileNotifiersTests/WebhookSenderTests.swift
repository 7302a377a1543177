import AsyncHTTPClient
import Foundation
import StockpileAlerts
import StockpileNotifiers
import Testing

@Suite("Webhook sender")
struct WebhookSenderTests {
    func sender(
        _ name: String, url: String, timeout: Duration = .seconds(10), client: HTTPClient
    ) throws
        -> WebhookSender
    {
        let receiver = AlertReceiver(
            name: name, kind: .webhook(url: url), policy: NotificationPolicy(), timeout: timeout)
        return try #require(
            WebhookSender(
                receiver, externalURL: "http://stockpile.local:8080/", httpClient: client, logger: quietLogger))
    }

    @Test("the POSTed body is Alertmanager's version 4 webhook message, every field of the right JSON type")
    func bodyValidates() async throws {
        let requests = try await RecordingReceiver.run { server in
            try await withHTTPClient { client in
                let webhook = try sender("hook-valid", url: "http://127.0.0.1:\(server.port)/ok", client: client)
                try await webhook.send(bayNotification(receiver: "hook-valid"))
            }
            return server.requests
        }
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.path == "/ok")
        #expect(request.headers["content-type"] == "application/json")
        try AlertmanagerWebhookFormat.validate(request.body)
        let object = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        #expect(object["receiver"] as? String == "hook-valid")
        #expect(object["groupKey"] as? String == "{}:{zone=\"bay-b\"}")
        #expect(object["externalURL"] as? String == "http://stockpile.local:8080/")
        #expect(object["status"] as? String == "firing")
        let alerts = try #require(object["alerts"] as? [[String: Any]])
        #expect(alerts.compactMap { $0["status"] as? String } == ["firing", "resolved"])
        #expect(deliveries("hook-valid", "success") == 1)
        #expect(failures("hook-valid") == 0)
    }

    @Test("a 500 answer is an http_status error with the status and the start of the answer")
    func serverError() async throws {
        let error = try await RecordingReceiver.run { server in
            try await withHTTPClient { client in
                let webhook = try sender("hook-500", url: "http://127.0.0.1:\(server.port)/fail", client: client)
                return await #expect(throws: DeliveryError.self) {
                    try await webhook.send(bayNotification(receiver: "hook-500"))
                }
            }
        }
        let delivery = try #require(error)
        #expect(delivery.receiver == "hook-500")
        #expect(delivery.kind == .httpStatus)
        #expect(delivery.code == 500)
        #expect(delivery.message.contains("HTTP 500: disk full / sorry"))
        #expect(deliveries("hook-500", "http_status") == 1)
        #expect(deliveries("hook-500", "success") == 0)
        #expect(failures("hook-500", "http_status") == 1)
    }

    @Test("a receiver that takes the connection and never answers is a timeout")
    func neverAnswers() async throws {
        let silent = try LoopbackSocket(listening: true)
        let port = silent.port
        let error = try await withHTTPClient { client in
            let webhook = try sender(
                "hook-silent", url: "http://127.0.0.1:\(port)/hook", timeout: .milliseconds(300), client: client)
            return await #expect(throws: DeliveryError.self) {
                try await webhook.send(bayNotification(receiver: "hook-silent"))
            }
        }
        let delivery = try #require(error)
        #expect(delivery.kind == .timeout)
        #expect(delivery.code == nil)
        #expect(delivery.message == "http://127.0.0.1:\(port)/hook did not answer within 300 ms")
        #expect(deliveries("hook-silent", "timeout") == 1)
        #expect(failures("hook-silent", "timeout") == 1)
        withExtendedLifetime(silent) {}
    }

    @Test("a port that refuses connections is a connection error")
    func refused() async throws {
        let closed = try LoopbackSocket(listening: false)
        let port = closed.port
        let error = try await withHTTPClient { client in
            let webhook = try sender(
                "hook-refused", url: "http://127.0.0.1:\(port)/hook", timeout: .seconds(1), client: client)
            return await #expect(throws: DeliveryError.self) {
                try await webhook.send(bayNotification(receiver: "hook-refused"))
            }
        }
        let delivery = try #require(error)
        #expect(delivery.kind == .connection)
        #expect(delivery.message.hasPrefix("cannot reach http://127.0.0.1:\(port)/hook: "))
        #expect(deliveries("hook-refused", "connection") == 1)
        #expect(failures("hook-refused", "connection") == 1)
        #expect(failures("hook-refused", "timeout") == 0)
        withExtendedLifetime(closed) {}
    }

    @Test("a URL's user information becomes Basic authentication; neither it nor the query is in a message")
    func credentials() async throws {
        let (requests, error) = try await RecordingReceiver.run { server in
            try await withHTTPClient { client in
                let base = "http://alice:s3cret@127.0.0.1:\(server.port)"
                let good = try sender("hook-auth", url: "\(base)/ok?token=t0ken", client: client)
                try await good.send(bayNotification(receiver: "hook-auth"))
                let bad = try sender("hook-auth-fail", url: "\(base)/fail?token=t0ken", client: client)
                let error = await #expect(throws: DeliveryError.self) {
                    try await bad.send(bayNotification(receiver: "hook-auth-fail"))
                }
                return (server.requests, error)
            }
        }
        #expect(requests.map(\.path) == ["/ok", "/fail"])
        // base64("alice:s3cret") [RFC 7617 §2].
        #expect(requests.first?.headers["authorization"] == "Basic YWxpY2U6czNjcmV0")
        let message = try #require(error).description
        #expect(message.contains("http://127.0.0.1:"))
        #expect(!message.contains("alice") && !message.contains("s3cret") && !message.contains("t0ken"))
    }
}
