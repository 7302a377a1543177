import Foundation
import StockpileAlerts
import Testing

@Suite("Alertmanager payloads")
struct PayloadTests {
    /// One firing alert (fired at 00:00:30.250 UTC) and one resolved one, in one bay-b group.
    func notification() throws -> AlertNotification {
        var tracker = AlertTracker()
        let humid = AlertCondition(
            rule: "humid", labels: ["alertname": "humid", "zone": "bay-b", "device": "zone-b-climate"],
            severity: .warning, status: .active, value: 66.5, summary: "humidity 66.5")
        let loss = AlertCondition(
            rule: "loss", labels: ["alertname": "loss", "zone": "bay-b", "device": "bay-b1-scale"], severity: .critical,
            status: .active, value: -25, summary: "25 kg gone")
        _ = tracker.update(conditions: [humid, loss], now: at(30.25))
        var cleared = loss
        cleared.status = .inactive
        cleared.value = nil
        _ = tracker.update(conditions: [humid, cleared], now: at(90))
        return AlertNotification(
            receiver: "room", groupKey: "{}:{zone=\"bay-b\"}", groupLabels: ["zone": "bay-b"],
            alerts: tracker.alerts.sorted { $0.state.isFiring && !$1.state.isFiring }, reason: .change)
    }

    @Test("the webhook body matches Alertmanager's version 4 fixture, field for field")
    func webhookFixture() throws {
        let body = AlertmanagerWebhookBody(try notification(), externalURL: "http://stockpile.local:8080/")
        let json = String(decoding: body.json(), as: UTF8.self)
        let humid = AlertLabels.fingerprint(["alertname": "humid", "zone": "bay-b", "device": "zone-b-climate"])
        let loss = AlertLabels.fingerprint(["alertname": "loss", "zone": "bay-b", "device": "bay-b1-scale"])
        let expected =
            #"{"alerts":[{"annotations":{"peak_value":"66.5","summary":"humidity 66.5","triggering_value":"66.5","value":"66.5"},"#
            + #""endsAt":"0001-01-01T00:00:00Z","fingerprint":"\#(humid)","generatorURL":"http://stockpile.local:8080/alerts/1","#
            + #""labels":{"alertname":"humid","device":"zone-b-climate","zone":"bay-b"},"startsAt":"2026-12-01T00:00:30.250Z","#
            + #""status":"firing"},"#
            + #"{"annotations":{"peak_value":"-25","summary":"25 kg gone","triggering_value":"-25","value":"-25"},"#
            + #""endsAt":"2026-12-01T00:01:30Z","fingerprint":"\#(loss)","generatorURL":"http://stockpile.local:8080/alerts/2","#
            + #""labels":{"alertname":"loss","device":"bay-b1-scale","zone":"bay-b"},"startsAt":"2026-12-01T00:00:30.250Z","#
            + #""status":"resolved"}],"#
            + #""commonAnnotations":{},"commonLabels":{"zone":"bay-b"},"externalURL":"http://stockpile.local:8080/","#
            + #""groupKey":"{}:{zone=\"bay-b\"}","groupLabels":{"zone":"bay-b"},"receiver":"room","status":"firing","#
            + #""truncatedAlerts":0,"version":"4"}"#
        #expect(json == expected)
    }

    @Test("every field Alertmanager's webhook carries is present, and nothing else")
    func webhookFieldSet() throws {
        let body = AlertmanagerWebhookBody(try notification(), externalURL: "")
        let object = try #require(try JSONSerialization.jsonObject(with: body.json()) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
                "commonAnnotations", "externalURL", "alerts",
            ])
        let alerts = try #require(object["alerts"] as? [[String: Any]])
        for alert in alerts {
            #expect(
                Set(alert.keys) == [
                    "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint",
                ])
            #expect(alert["generatorURL"] as? String == "")
        }
        // Round trip through the Codable type.
        #expect(try JSONDecoder().decode(AlertmanagerWebhookBody.self, from: body.json()) == body)
    }

    @Test("a group whose alerts all resolved is a resolved body")
    func resolvedBody() throws {
        var resolvedOnly = try notification()
        resolvedOnly.alerts.removeAll { $0.state.isFiring }
        #expect(AlertmanagerWebhookBody(resolvedOnly, externalURL: "").status == "resolved")
    }

    @Test("postable alerts: a firing one ends four resend intervals ahead, a resolved one at its end")
    func postableAlerts() throws {
        let data = AlertmanagerPostableAlert.json(
            try notification(), now: at(100), resendInterval: .seconds(60), externalURL: "")
        let alerts = try JSONDecoder().decode([AlertmanagerPostableAlert].self, from: data)
        #expect(alerts.count == 2)
        #expect(alerts[0].endsAt == "2026-12-01T00:05:40Z")  // 100 s + 4 × 60 s
        #expect(alerts[0].startsAt == "2026-12-01T00:00:30.250Z")
        #expect(alerts[1].endsAt == "2026-12-01T00:01:30Z")
        #expect(alerts[0].labels["alertname"] == "humid")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(Set(object[0].keys) == ["labels", "annotations", "startsAt", "endsAt", "generatorURL"])
    }
}
