import Foundation
import GRDB
import StockpileAlerts
import Testing

@testable import StockpileStore

@Suite("Alerts in the store")
struct AlertStoreTests {
    /// The condition of `rule` on `device`.
    func condition(
        _ status: AlertCondition.Status, rule: String = "bay_b_humidity", device: String = "bay-b-climate",
        severity: AlertSeverity = .warning, timing: AlertTiming = AlertTiming(), value: Double? = nil
    ) -> AlertCondition {
        AlertCondition(
            rule: rule, labels: ["alertname": rule, "device": device, "severity": severity.rawValue, "site": "demo"],
            severity: severity, timing: timing, status: status, value: value, summary: "\(device): \(rule)")
    }

    /// One evaluation round, saved as the agent saves it: the tracker's alerts and the round's transitions.
    @discardableResult
    func round(
        _ tracker: inout AlertTracker, _ conditions: [AlertCondition], at instant: Date, into database: AppDatabase
    ) async throws -> [AlertTransition] {
        let transitions = tracker.update(conditions: conditions, now: instant)
        try await database.saveAlerts(tracker.alerts, transitions: transitions)
        return transitions
    }

    @Test("saved alerts read back equal, newest first; open ones only unless resolved ones are asked for")
    func roundTrip() async throws {
        try await withFileStore { database, _ in
            var tracker = AlertTracker()
            let pendingFor = AlertTiming(pendingFor: .seconds(600))
            try await round(
                &tracker,
                [condition(.active, value: 66), condition(.active, rule: "dock_cold", timing: pendingFor, value: 4)],
                at: at(0), into: database)
            try await round(&tracker, [condition(.inactive, value: 60)], at: at(60), into: database)

            let all = try await database.alerts(includeResolved: true)
            #expect(all == tracker.alerts.reversed())
            #expect(all.map(\.state) == [.pending, .resolved])
            #expect(try await database.alerts(includeResolved: false).map(\.rule) == ["dock_cold"])
            #expect(try await database.alerts(includeResolved: true, limit: 1).map(\.rule) == ["dock_cold"])
            let resolved = try #require(try await database.alert(id: 1))
            #expect(resolved.history.map(\.to) == [.firing, .resolved])
            #expect(resolved.endsAt == at(60))
            #expect(resolved.triggeringValue == 66)
            #expect(try await database.alert(id: 99) == nil)
        }
    }

    @Test("a reopened file gives the same tracker: no alert lost, nothing transitions again, ids continue")
    func restart() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/stockpile.sqlite"
            var tracker = AlertTracker(resolvedRetention: .seconds(900))
            let keep = AlertTiming(keepFiringFor: .seconds(300))
            do {
                let database = try AppDatabase.open(path: path)
                try await round(&tracker, [condition(.active, device: "a", value: 1)], at: at(0), into: database)
                try await round(
                    &tracker, [condition(.active, device: "a"), condition(.active, device: "b", timing: keep)],
                    at: at(10), into: database)
                try await round(
                    &tracker, [condition(.active, device: "a"), condition(.inactive, device: "b", timing: keep)],
                    at: at(20), into: database)
                try await round(&tracker, [condition(.inactive, device: "a")], at: at(400), into: database)
            }
            // a resolved at 400 s; b still fires: keep_firing_for held it at 20 s, and it was not judged again.
            #expect(tracker.alerts.map(\.state) == [.resolved, .firing])

            let reopened = try AppDatabase.open(path: path)
            let restored = try await reopened.loadAlertTracker(resolvedRetention: .seconds(900), now: at(400))
            #expect(restored == tracker)
            var carriedOn = restored
            #expect(carriedOn.update(conditions: [condition(.active, device: "b", timing: keep)], now: at(401)).isEmpty)

            // After the retention the resolved alert is only in the store, yet its id is never given again.
            let later = try await reopened.loadAlertTracker(resolvedRetention: .seconds(900), now: at(1400))
            #expect(later.alerts.map(\.id) == [2])
            #expect(later.nextID == 3)
            var next = later
            let fresh = next.update(conditions: [condition(.active, device: "c")], now: at(1401))
            #expect(fresh.map(\.alertID) == [3])
        }
    }

    @Test("a pending alert that clears is closed in the store, though the tracker drops it at once")
    func pendingClears() async throws {
        try await withFileStore { database, _ in
            var tracker = AlertTracker()
            let pendingFor = AlertTiming(pendingFor: .seconds(600))
            try await round(&tracker, [condition(.active, timing: pendingFor, value: 66)], at: at(0), into: database)
            let cleared = try await round(
                &tracker, [condition(.inactive, timing: pendingFor, value: 61)], at: at(120), into: database)
            #expect(cleared.map(\.to) == [.inactive])
            #expect(tracker.alerts.isEmpty)
            let stored = try #require(try await database.alert(id: 1))
            #expect(stored.state == .inactive)
            #expect(stored.endsAt == at(120))
            #expect(stored.history.map(\.to) == [.pending, .inactive])
            #expect(stored.history.last == cleared.first)
            #expect(try await database.alerts(includeResolved: false).isEmpty)
            #expect(try await database.loadAlertTracker(resolvedRetention: .seconds(900), now: at(120)).alerts.isEmpty)
        }
    }

    @Test("saving the same round twice records each transition once")
    func idempotentEvents() async throws {
        try await withFileStore { database, _ in
            var tracker = AlertTracker()
            let transitions = tracker.update(conditions: [condition(.active)], now: at(0))
            try await database.saveAlerts(tracker.alerts, transitions: transitions)
            try await database.saveAlerts(tracker.alerts, transitions: transitions)
            #expect(try await database.count("SELECT count(*) FROM alert_event") == 1)
            #expect(try await database.count("SELECT count(*) FROM alert") == 1)
        }
    }

    @Test("the event log refuses UPDATE and DELETE through SQL")
    func appendOnly() async throws {
        try await withFileStore { database, path in
            var tracker = AlertTracker()
            try await round(&tracker, [condition(.active)], at: at(0), into: database)
            let queue = try DatabaseQueue(path: path)
            #expect(throws: DatabaseError.self) {
                try queue.write { db in try db.execute(sql: "UPDATE alert_event SET by = 'someone else'") }
            }
            #expect(throws: DatabaseError.self) {
                try queue.write { db in try db.execute(sql: "DELETE FROM alert_event") }
            }
            #expect(try await database.count("SELECT count(*) FROM alert_event") == 1)
        }
    }

    @Test("history: the transitions at or after an instant, oldest first, acknowledgements with who and why")
    func history() async throws {
        try await withFileStore { database, _ in
            var tracker = AlertTracker()
            try await round(&tracker, [condition(.active, rule: "one")], at: at(0), into: database)
            try await round(&tracker, [condition(.active, rule: "two")], at: at(30), into: database)
            let acknowledgement = try tracker.acknowledge(.id(1), by: "ana", comment: "on my way", now: at(40))
            try await database.saveAlerts(tracker.alerts, transitions: [acknowledgement])

            let events = try await database.alertEvents(since: at(30))
            #expect(events.map(\.rule) == ["two", "one"])
            #expect(events.map(\.to) == [.firing, .acknowledged])
            #expect(events.last == acknowledgement)
            #expect(try await database.alertEvents(since: at(0)).count == 3)
            #expect(try await database.alert(id: 1)?.acknowledgement?.by == "ana")
        }
    }

    @Test("a request is pending until completed, completed once, accepted or refused with its message")
    func requests() async throws {
        try await withFileStore { database, _ in
            let first = try await database.requestAcknowledgement(alert: 3, by: "ana", comment: "seen", at: at(0))
            let second = try await database.requestAcknowledgement(alert: 4, by: "bo", comment: "", at: at(1))
            #expect(second > first)
            #expect(try await database.pendingRequests().map(\.id) == [first, second])
            let pending = try #require(try await database.request(id: first))
            #expect(pending.kind == .acknowledge)
            #expect(pending.alertID == 3 && pending.by == "ana" && pending.comment == "seen")
            #expect(pending.requestedAt == at(0))
            #expect(!pending.isDone)

            #expect(try await database.completeRequest(id: first, at: at(2), outcome: nil))
            #expect(try await database.completeRequest(id: second, at: at(2), outcome: "#4: is resolved"))
            #expect(try await !database.completeRequest(id: second, at: at(3), outcome: nil))
            #expect(try await database.pendingRequests().isEmpty)
            let accepted = try #require(try await database.request(id: first))
            #expect(accepted.isAccepted && accepted.doneAt == at(2))
            let refused = try #require(try await database.request(id: second))
            #expect(!refused.isAccepted && refused.outcome == "#4: is resolved")
            #expect(try await database.request(id: 999) == nil)
        }
    }

    @Test("silences: in force from start (inclusive) to end (exclusive); expiring early ends one, the row stays")
    func silences() async throws {
        try await withFileStore { database, _ in
            let matchers = [
                try LabelMatcher(parsing: "device=bay-b1-scale"), try LabelMatcher(parsing: "zone=~bay-.*"),
            ]
            let window = Silence(
                id: "s1", matchers: matchers, startsAt: at(0), endsAt: at(3600), createdBy: "ana", comment: "service")
            let later = Silence(
                id: "s2", matchers: [matchers[0]], startsAt: at(7200), endsAt: at(9000), createdBy: "bo",
                comment: "calibration")
            try await database.addSilence(window, at: at(-10))
            try await database.addSilence(later, at: at(-5))

            #expect(try await database.silences(activeAt: at(-1)).isEmpty)
            #expect(try await database.silences(activeAt: at(0)) == [window])
            #expect(try await database.silences(activeAt: at(3599)) == [window])
            #expect(try await database.silences(activeAt: at(3600)).isEmpty)
            #expect(try await database.silences(activeAt: nil) == [window, later])

            #expect(try await database.expireSilence(id: "s1", at: at(600)))
            #expect(try await !database.expireSilence(id: "s1", at: at(700)))
            #expect(try await !database.expireSilence(id: "nope", at: at(700)))
            #expect(try await database.silences(activeAt: at(599)).map(\.id) == ["s1"])
            #expect(try await database.silences(activeAt: at(600)).isEmpty)
            // A silence expired before it began never begins.
            #expect(try await database.expireSilence(id: "s2", at: at(1000)))
            #expect(try await database.silences(activeAt: at(7200)).isEmpty)
            let all = try await database.silences(activeAt: nil)
            #expect(all.map(\.endsAt) == [at(600), at(1000)])
            #expect(all.map { $0.state(at: at(1000)) } == [.expired, .expired])
            #expect(all.first?.matchers == matchers)
            #expect(try await database.count("SELECT count(*) FROM silence WHERE expired_at IS NOT NULL") == 2)
        }
    }

    @Test("a silence without a matcher, ending before it starts, or with a taken id is refused")
    func silenceRefusals() async throws {
        try await withFileStore { database, _ in
            let matcher = try LabelMatcher(parsing: "device=x")
            let good = Silence(
                id: "s1", matchers: [matcher], startsAt: at(0), endsAt: at(60), createdBy: "ana", comment: "c")
            try await database.addSilence(good)
            var empty = good
            empty.id = "s2"
            empty.matchers = []
            var backwards = good
            backwards.id = "s3"
            backwards.endsAt = at(0)
            for silence in [good, empty, backwards] {
                await #expect(throws: StoreError.self) { try await database.addSilence(silence) }
            }
            #expect(try await database.silences(activeAt: nil) == [good])
        }
    }

    @Test("planners round trip through the store, groups and all")
    func planners() async throws {
        try await withFileStore { database, _ in
            var tracker = AlertTracker()
            _ = tracker.update(conditions: [condition(.active, severity: .critical)], now: at(0))
            var planner = NotificationPlanner(receiver: "control-room", policy: NotificationPolicy(groupBy: ["device"]))
            let suppression = AlertSuppression(alerts: tracker.alerts, silences: [], now: at(30))
            let due = planner.due(alerts: tracker.alerts, suppression: suppression, now: at(30))
            #expect(due.count == 1)
            planner.noteSuccess(groupKey: try #require(due.first).groupKey, now: at(31))
            let other = NotificationPlanner(receiver: "gsm", policy: NotificationPolicy(severities: [.critical]))
            try await database.savePlanners([planner, other], at: at(31))
            #expect(try await database.loadPlanners() == ["control-room": planner, "gsm": other])

            var changed = planner
            _ = changed.due(alerts: tracker.alerts, suppression: suppression, now: at(40 + 4 * 3600))
            try await database.savePlanners([changed], at: at(40 + 4 * 3600))
            #expect(changed != planner)
            #expect(try await database.loadPlanners() == ["control-room": changed, "gsm": other])
        }
    }

    @Test("delivery counters add up per receiver and keep the latest success, failure and error")
    func deliveries() async throws {
        try await withFileStore { database, _ in
            try await database.recordDelivery(receiver: "webhook", success: true, at: at(0), error: nil)
            try await database.recordDelivery(receiver: "webhook", success: false, at: at(10), error: "timed out")
            try await database.recordDelivery(receiver: "webhook", success: false, at: at(20), error: "HTTP 503")
            try await database.recordDelivery(receiver: "webhook", success: true, at: at(30), error: nil)
            try await database.recordDelivery(receiver: "gsm", success: false, at: at(5), error: "exit 1")
            let deliveries = try await database.deliveries()
            #expect(
                deliveries == [
                    ReceiverDelivery(
                        receiver: "gsm", sent: 0, failed: 1, lastFailureAt: at(5), lastError: "exit 1"),
                    ReceiverDelivery(
                        receiver: "webhook", sent: 2, failed: 2, lastSuccessAt: at(30), lastFailureAt: at(20),
                        lastError: "HTTP 503"),
                ])
        }
    }
}
