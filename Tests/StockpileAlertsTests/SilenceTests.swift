import Foundation
import StockpileAlerts
import Testing

@Suite("silences and inhibition")
struct SilenceTests {
    let scale = ["alertname": "scale_error", "device": "bay-b1-scale", "zone": "bay-b", "severity": "warning"]

    @Test("matchers: equal, not equal, whole-value regex, negated regex, and a missing label as empty")
    func matchers() throws {
        #expect(try LabelMatcher(parsing: "device=bay-b1-scale").matches(scale))
        #expect(try !LabelMatcher(parsing: "device!=bay-b1-scale").matches(scale))
        #expect(try LabelMatcher(parsing: "zone=~bay-.*").matches(scale))
        #expect(try !LabelMatcher(parsing: "zone=~bay").matches(scale))
        #expect(try LabelMatcher(parsing: "zone!~dock|yard").matches(scale))
        #expect(try LabelMatcher(parsing: "bus=").matches(scale))
        #expect(try !LabelMatcher(parsing: "bus!=").matches(scale))
        let parsed = try LabelMatcher(parsing: "severity!=info")
        #expect(parsed.name == "severity")
        #expect(parsed.op == .notEqual)
        #expect(parsed.value == "info")
        #expect(parsed.description == "severity!=info")
    }

    @Test("a matcher without an operator, with a bad name or a bad regex is refused")
    func matcherRefusals() {
        #expect(throws: LabelMatcher.ParseError.self) { try LabelMatcher(parsing: "device") }
        #expect(throws: LabelMatcher.ParseError.self) { try LabelMatcher(parsing: "dev ice=x") }
        #expect(throws: LabelMatcher.ParseError.self) { try LabelMatcher(parsing: "zone=~(") }
    }

    @Test("a silence holds from its start up to its end, for alerts every matcher matches")
    func silenceWindow() throws {
        let silence = Silence(
            id: "s1", matchers: [try LabelMatcher(parsing: "device=bay-b1-scale")], startsAt: at(100), endsAt: at(200),
            createdBy: "ana", comment: "recalibration")
        #expect(silence.state(at: at(99)) == .pending)
        #expect(!silence.silences(scale, at: at(99)))
        #expect(silence.silences(scale, at: at(100)))
        #expect(silence.silences(scale, at: at(199)))
        #expect(silence.state(at: at(200)) == .expired)
        #expect(!silence.silences(scale, at: at(200)))
        var other = scale
        other["device"] = "bay-b2-scale"
        #expect(!silence.silences(other, at: at(150)))
        let empty = Silence(id: "s2", matchers: [], startsAt: at(0), endsAt: at(1000), createdBy: "x", comment: "")
        #expect(!empty.silences(scale, at: at(10)))
    }

    @Test("a silent bus is one alert: its devices' no-data alerts are inhibited, other alerts are not")
    func busInhibition() {
        var tracker = AlertTracker()
        let bus = AlertCondition(
            rule: "bus_offline", isNoData: true, labels: ["alertname": "bus_offline", "bus": "line1"],
            severity: .critical, status: .active)
        let devices = ["zone-a-climate", "zone-c-climate", "zone-a-dose"].map {
            condition(.active, rule: "device_offline", device: $0, noData: true, bus: "line1")
        }
        let elsewhere = condition(.active, rule: "device_offline", device: "bay-a1-scale", noData: true, bus: "main")
        let threshold = condition(.active, rule: "dose_high", device: "zone-a-dose", bus: "line1")
        _ = tracker.update(conditions: [bus] + devices + [elsewhere, threshold], now: at(0))
        let suppression = AlertSuppression(alerts: tracker.alerts, silences: [], now: at(0))
        let busID = tracker.alerts.first { $0.rule == "bus_offline" }!.id
        let inhibited = tracker.alerts.filter { suppression.isSuppressed($0) }
        #expect(inhibited.map { $0.labels["device"] } == ["zone-a-climate", "zone-c-climate", "zone-a-dose"])
        #expect(inhibited.allSatisfy { suppression.reasons[$0.id] == .inhibited(by: busID) })
        // Recorded all the same.
        #expect(tracker.alerts.filter { $0.rule == "device_offline" }.count == 4)
        // Once the bus answers again, nothing is inhibited.
        let resolvedBus = AlertCondition(
            rule: "bus_offline", isNoData: true, labels: bus.labels, severity: .critical, status: .inactive)
        _ = tracker.update(conditions: [resolvedBus], now: at(10))
        #expect(AlertSuppression(alerts: tracker.alerts, silences: [], now: at(10)).suppressed.isEmpty)
    }

    @Test("a silenced alert is suppressed with the silence's id, only while the silence is active")
    func silencedSuppression() throws {
        var tracker = AlertTracker()
        _ = tracker.update(conditions: [condition(.active, device: "bay-b1-scale")], now: at(0))
        let silence = Silence(
            id: "maint", matchers: [try LabelMatcher(parsing: "device=bay-b1-scale")], startsAt: at(0),
            endsAt: at(7200), createdBy: "ana", comment: "load cell swap")
        let during = AlertSuppression(alerts: tracker.alerts, silences: [silence], now: at(60))
        #expect(during.reasons[tracker.alerts[0].id] == .silenced(["maint"]))
        #expect(AlertSuppression(alerts: tracker.alerts, silences: [silence], now: at(7200)).suppressed.isEmpty)
    }

    @Test("the beacon is on while a critical alert fires unacknowledged and unsuppressed, off otherwise")
    func beacon() throws {
        var tracker = AlertTracker()
        _ = tracker.update(
            conditions: [
                condition(.active, rule: "loss", device: "bay-b1-scale", severity: .critical),
                condition(.active, rule: "humid", severity: .warning),
            ], now: at(0))
        func lit(_ silences: [Silence] = [], now: Date = at(1)) -> Bool {
            AlertBeacon.shouldLight(
                tracker.alerts, suppression: AlertSuppression(alerts: tracker.alerts, silences: silences, now: now))
        }
        #expect(lit())
        let silence = Silence(
            id: "s", matchers: [try LabelMatcher(parsing: "alertname=loss")], startsAt: at(0), endsAt: at(60),
            createdBy: "a", comment: "")
        #expect(!lit([silence]))
        #expect(lit([silence], now: at(60)))
        let critical = tracker.alerts.first { $0.severity == .critical }!
        _ = try tracker.acknowledge(.id(critical.id), by: "ana", comment: "", now: at(2))
        #expect(!lit())
    }
}

@Test("a firing critical level inhibits the warning level of the same rule on the same subject, not others")
func levelInhibition() {
    var tracker = AlertTracker()
    func level(_ severity: AlertSeverity, _ limit: String, device: String = "zone-b-climate") -> AlertCondition {
        AlertCondition(
            rule: "b_humidity",
            labels: ["alertname": "b_humidity", "severity": severity.rawValue, "limit": limit, "device": device],
            severity: severity, status: .active)
    }
    _ = tracker.update(
        conditions: [
            level(.warning, "above 60"), level(.critical, "above 70"),
            level(.warning, "above 60", device: "zone-a-climate"),
        ], now: at(0))
    let suppression = AlertSuppression(alerts: tracker.alerts, silences: [], now: at(0))
    let critical = tracker.alerts.first { $0.severity == .critical }!
    let inhibited = tracker.alerts.filter { suppression.isSuppressed($0) }
    #expect(inhibited.map { $0.labels["device"] } == ["zone-b-climate"])
    #expect(inhibited.map(\.severity) == [.warning])
    #expect(suppression.reasons[inhibited[0].id] == .inhibited(by: critical.id))
}
