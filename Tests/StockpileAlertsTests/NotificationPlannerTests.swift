import Foundation
import StockpileAlerts
import Testing

@Suite("planning notifications")
struct NotificationPlannerTests {
    let policy = NotificationPolicy(
        groupBy: ["zone"], groupWait: .seconds(30), groupInterval: .minutes(5), repeatInterval: .seconds(4 * 3600),
        retryInitial: .seconds(1), retryMaximum: .seconds(8))

    func zoned(
        _ status: AlertCondition.Status, _ device: String, zone: String, severity: AlertSeverity = .warning
    )
        -> AlertCondition
    {
        AlertCondition(
            rule: "humid",
            labels: ["alertname": "humid", "device": device, "zone": zone, "severity": severity.rawValue],
            severity: severity, status: status)
    }

    /// Plans at `now` and reports every notification as delivered at once.
    func deliver(
        _ planner: inout NotificationPlanner, _ tracker: AlertTracker, now: Date, silences: [Silence] = []
    )
        -> [AlertNotification]
    {
        let due = planner.due(
            alerts: tracker.alerts, suppression: AlertSuppression(alerts: tracker.alerts, silences: silences, now: now),
            now: now)
        for notification in due { planner.noteSuccess(groupKey: notification.groupKey, now: now) }
        return due
    }

    @Test("a new group waits group_wait, then sends once; in flight it is not planned again")
    func groupWait() throws {
        var tracker = AlertTracker()
        var planner = NotificationPlanner(receiver: "room", policy: policy)
        _ = tracker.update(conditions: [zoned(.active, "zone-b-climate", zone: "bay-b")], now: at(0))
        let none = AlertSuppression(alerts: tracker.alerts, silences: [], now: at(0))
        #expect(planner.due(alerts: tracker.alerts, suppression: none, now: at(0)).isEmpty)
        #expect(planner.due(alerts: tracker.alerts, suppression: none, now: at(29)).isEmpty)
        let first = planner.due(alerts: tracker.alerts, suppression: none, now: at(30))
        #expect(first.count == 1)
        let notification = try #require(first.first)
        #expect(notification.reason == .first)
        #expect(notification.groupKey == "{}:{zone=\"bay-b\"}")
        #expect(notification.groupLabels == ["zone": "bay-b"])
        #expect(notification.alerts.map(\.id) == [1])
        #expect(planner.due(alerts: tracker.alerts, suppression: none, now: at(31)).isEmpty)
        planner.noteSuccess(groupKey: notification.groupKey, now: at(31))
        #expect(planner.due(alerts: tracker.alerts, suppression: none, now: at(32)).isEmpty)
    }

    @Test("an alert resolved within group_wait is never sent")
    func resolvedWithinWait() {
        var tracker = AlertTracker()
        var planner = NotificationPlanner(receiver: "room", policy: policy)
        _ = tracker.update(conditions: [zoned(.active, "zone-b-climate", zone: "bay-b")], now: at(0))
        #expect(deliver(&planner, tracker, now: at(10)).isEmpty)
        _ = tracker.update(conditions: [zoned(.inactive, "zone-b-climate", zone: "bay-b")], now: at(20))
        for seconds in [30.0, 60, 400, 3600] { #expect(deliver(&planner, tracker, now: at(seconds)).isEmpty) }
        #expect(planner.groups.isEmpty)
    }

    @Test("changes wait group_interval, reminders repeat_interval, and resolution is sent once")
    func changesRemindersResolution() throws {
        var tracker = AlertTracker()
        var planner = NotificationPlanner(receiver: "room", policy: policy)
        _ = tracker.update(conditions: [zoned(.active, "zone-b-climate", zone: "bay-b")], now: at(0))
        #expect(deliver(&planner, tracker, now: at(30)).map(\.reason) == [.first])
        _ = tracker.update(
            conditions: [
                zoned(.active, "zone-b-climate", zone: "bay-b"), zoned(.active, "bay-b1-scale", zone: "bay-b"),
            ],
            now: at(60))
        #expect(deliver(&planner, tracker, now: at(329)).isEmpty)
        let change = deliver(&planner, tracker, now: at(330))
        #expect(change.map(\.reason) == [.change])
        #expect(change.first?.alerts.map(\.id) == [1, 2])
        #expect(deliver(&planner, tracker, now: at(330 + 4 * 3600 - 1)).isEmpty)
        #expect(deliver(&planner, tracker, now: at(330 + 4 * 3600)).map(\.reason) == [.reminder])
        let resolvedAt = 330.0 + 4 * 3600 + 10
        _ = tracker.update(
            conditions: [
                zoned(.inactive, "zone-b-climate", zone: "bay-b"), zoned(.inactive, "bay-b1-scale", zone: "bay-b"),
            ],
            now: at(resolvedAt))
        #expect(deliver(&planner, tracker, now: at(resolvedAt + 1)).isEmpty)  // within group_interval of the reminder
        let resolution = try #require(deliver(&planner, tracker, now: at(330 + 4 * 3600 + 300)).first)
        #expect(!resolution.isFiring)
        #expect(resolution.alerts.allSatisfy { $0.state == .resolved })
        #expect(deliver(&planner, tracker, now: at(330 + 5 * 3600)).isEmpty)
        #expect(planner.groups.isEmpty)
    }

    @Test("an acknowledgement stops reminders for people, not for an Alertmanager receiver")
    func acknowledgementStopsReminders() throws {
        var tracker = AlertTracker()
        var people = NotificationPlanner(receiver: "room", policy: policy)
        var manager = NotificationPlanner(
            receiver: "am",
            policy: NotificationPolicy(
                groupBy: ["..."], groupWait: .zero, groupInterval: .seconds(60), repeatInterval: .seconds(60),
                repeatAcknowledged: true))
        _ = tracker.update(conditions: [zoned(.active, "zone-b-climate", zone: "bay-b")], now: at(0))
        #expect(deliver(&people, tracker, now: at(30)).count == 1)
        #expect(deliver(&manager, tracker, now: at(30)).count == 1)
        _ = try tracker.acknowledge(.id(1), by: "ana", comment: "", now: at(40))
        #expect(deliver(&people, tracker, now: at(30 + 4 * 3600)).isEmpty)
        #expect(deliver(&manager, tracker, now: at(90)).map(\.reason) == [.reminder])
        #expect(tracker.alert(id: 1)?.state == .acknowledged)
    }

    @Test("other severities, pending alerts and silenced alerts are left out; grouping splits zones")
    func filters() throws {
        var tracker = AlertTracker()
        var warningsOnly = policy
        warningsOnly.severities = [.warning, .critical]
        var planner = NotificationPlanner(receiver: "room", policy: warningsOnly)
        var pendingCondition = zoned(.active, "dock", zone: "dock")
        pendingCondition.timing = AlertTiming(pendingFor: .minutes(10))
        _ = tracker.update(
            conditions: [
                zoned(.active, "zone-a-climate", zone: "bay-a"), zoned(.active, "zone-b-climate", zone: "bay-b"),
                zoned(.active, "zone-b-dose", zone: "bay-b", severity: .info), pendingCondition,
                zoned(.active, "bay-a1-scale", zone: "bay-a"),
            ], now: at(0))
        let silence = Silence(
            id: "s", matchers: [try LabelMatcher(parsing: "device=bay-a1-scale")], startsAt: at(0), endsAt: at(3600),
            createdBy: "ana", comment: "")
        let sent = deliver(&planner, tracker, now: at(30), silences: [silence])
        #expect(sent.map(\.groupKey) == ["{}:{zone=\"bay-a\"}", "{}:{zone=\"bay-b\"}"])
        #expect(sent.map { $0.alerts.compactMap { $0.labels["device"] } } == [["zone-a-climate"], ["zone-b-climate"]])
    }

    @Test("back-off doubles from the initial wait up to the maximum: 1, 2, 4, 8, 8 s")
    func backoffSequence() {
        #expect((1...5).map { policy.retryDelay(afterFailures: $0) } == [1, 2, 4, 8, 8].map { Duration.seconds($0) })
        #expect(policy.retryDelay(afterFailures: 0) == .zero)
        #expect(policy.retryDelay(afterFailures: 1000) == .seconds(8))
    }

    @Test("a failed send is retried after its back-off, counting attempts, and success resets it")
    func retries() throws {
        var tracker = AlertTracker()
        var planner = NotificationPlanner(receiver: "room", policy: policy)
        _ = tracker.update(conditions: [zoned(.active, "zone-b-climate", zone: "bay-b")], now: at(0))
        let none = AlertSuppression(alerts: tracker.alerts, silences: [], now: at(0))
        var now = 30.0
        var attempts: [(Double, Int)] = []
        for _ in 0..<4 {
            // Poll every half second until it is due again.
            var due: [AlertNotification] = []
            while due.isEmpty, now < 1000 {
                due = planner.due(alerts: tracker.alerts, suppression: none, now: at(now))
                if due.isEmpty { now += 0.5 }
            }
            guard let attempt = due.first else { break }
            attempts.append((now, attempt.attempt))
            planner.noteFailure(groupKey: attempt.groupKey, now: at(now))
        }
        #expect(attempts.map(\.0) == [30, 31, 33, 37])
        #expect(attempts.map(\.1) == [1, 2, 3, 4])
        let retry = planner.due(alerts: tracker.alerts, suppression: none, now: at(45))
        #expect(retry.first?.reason == .retry)
        planner.noteSuccess(groupKey: try #require(retry.first).groupKey, now: at(45))
        #expect(planner.groups.values.first?.failures == 0)
        #expect(planner.due(alerts: tracker.alerts, suppression: none, now: at(46)).isEmpty)
    }

    @Test("restored after a restart, tracker and planner neither lose nor re-send; an interrupted send goes again")
    func restoreWithoutRenotifying() throws {
        var tracker = AlertTracker()
        var planner = NotificationPlanner(receiver: "room", policy: policy)
        let conditions = [
            zoned(.active, "zone-b-climate", zone: "bay-b"), zoned(.active, "zone-a-climate", zone: "bay-a"),
        ]
        _ = tracker.update(conditions: conditions, now: at(0))
        #expect(deliver(&planner, tracker, now: at(30)).count == 2)
        // One more alert joins bay-a and its change is in flight when the agent stops.
        _ = tracker.update(conditions: conditions + [zoned(.active, "bay-a1-scale", zone: "bay-a")], now: at(100))
        let inFlight = planner.due(
            alerts: tracker.alerts, suppression: AlertSuppression(alerts: tracker.alerts, silences: [], now: at(330)),
            now: at(330))
        #expect(inFlight.map(\.groupKey) == ["{}:{zone=\"bay-a\"}"])
        let encoder = JSONEncoder()
        var restoredTracker = try JSONDecoder().decode(AlertTracker.self, from: try encoder.encode(tracker))
        var restoredPlanner = try JSONDecoder().decode(NotificationPlanner.self, from: try encoder.encode(planner))
        restoredPlanner.resumeAfterRestart()
        #expect(
            restoredTracker.update(
                conditions: conditions + [zoned(.active, "bay-a1-scale", zone: "bay-a")], now: at(340)
            ).isEmpty)
        #expect(restoredTracker.alerts.map(\.id) == [1, 2, 3])
        let after = deliver(&restoredPlanner, restoredTracker, now: at(340))
        #expect(after.map(\.groupKey) == ["{}:{zone=\"bay-a\"}"])
        #expect(after.first?.alerts.map(\.id) == [2, 3])
        // bay-b was delivered before the stop: nothing until its reminder.
        #expect(deliver(&restoredPlanner, restoredTracker, now: at(30 + 4 * 3600 - 1)).isEmpty)
        #expect(
            deliver(&restoredPlanner, restoredTracker, now: at(30 + 4 * 3600)).map(\.groupKey) == [
                "{}:{zone=\"bay-b\"}"
            ])
    }
}

@Test("with send_resolved off, a resolution is recorded but never sent")
func sendResolvedOff() {
    var policy = NotificationPolicy(groupWait: .zero, groupInterval: .seconds(60))
    policy.sendResolved = false
    var planner = NotificationPlanner(receiver: "pager", policy: policy)
    var tracker = AlertTracker()
    func plan(_ seconds: Double) -> [AlertNotification] {
        let due = planner.due(
            alerts: tracker.alerts,
            suppression: AlertSuppression(alerts: tracker.alerts, silences: [], now: at(seconds)),
            now: at(seconds))
        for notification in due { planner.noteSuccess(groupKey: notification.groupKey, now: at(seconds)) }
        return due
    }
    _ = tracker.update(conditions: [condition(.active)], now: at(0))
    #expect(plan(0).count == 1)
    _ = tracker.update(conditions: [condition(.inactive)], now: at(10))
    #expect(tracker.alerts.first?.state == .resolved)
    for seconds in [10.0, 70, 600] { #expect(plan(seconds).isEmpty) }
}
