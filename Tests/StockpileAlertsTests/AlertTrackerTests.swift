import Foundation
import StockpileAlerts
import StockpileDomain
import Testing

@Suite("the alert lifecycle")
struct AlertTrackerTests {
    let tenMinutes = AlertTiming(pendingFor: .minutes(10))

    @Test("pending becomes firing exactly when `for` has run out, not a second before")
    func pendingToFiring() throws {
        var tracker = AlertTracker()
        let first = tracker.update(conditions: [condition(.active, timing: tenMinutes, value: 66)], now: at(0))
        #expect(first.map(\.to) == [.pending])
        #expect(first.map(\.from) == [.inactive])
        #expect(tracker.update(conditions: [condition(.active, timing: tenMinutes)], now: at(599)).isEmpty)
        let fired = tracker.update(conditions: [condition(.active, timing: tenMinutes, value: 67)], now: at(600))
        #expect(fired.map(\.to) == [.firing])
        let alert = try #require(tracker.alerts.first)
        #expect(alert.state == .firing)
        #expect(alert.activeSince == at(0))
        #expect(alert.startsAt == at(600))
        #expect(alert.triggeringValue == 67)
        #expect(alert.history.map(\.to) == [.pending, .firing])
    }

    @Test("a pending alert whose condition clears goes inactive and leaves; it never fired")
    func pendingClears() {
        var tracker = AlertTracker()
        _ = tracker.update(conditions: [condition(.active, timing: tenMinutes)], now: at(0))
        let cleared = tracker.update(conditions: [condition(.inactive, timing: tenMinutes)], now: at(300))
        #expect(cleared.map(\.to) == [.inactive])
        #expect(tracker.alerts.isEmpty)
        #expect(tracker.update(conditions: [condition(.inactive, timing: tenMinutes)], now: at(900)).isEmpty)
    }

    @Test("without `for` an alert fires on its first evaluation, in one transition")
    func firesAtOnce() {
        var tracker = AlertTracker()
        let transitions = tracker.update(conditions: [condition(.active)], now: at(0))
        #expect(transitions.map { "\($0.from.rawValue)→\($0.to.rawValue)" } == ["inactive→firing"])
    }

    @Test("a condition's own since-when counts toward `for`: an offline device since 100 s fires at 220 s")
    func activeSinceCounts() {
        var tracker = AlertTracker()
        let timing = AlertTiming(pendingFor: .seconds(120))
        let pending = tracker.update(conditions: [condition(.active, timing: timing, since: at(100))], now: at(150))
        #expect(pending.map(\.to) == [.pending])
        #expect(tracker.update(conditions: [condition(.active, timing: timing, since: at(100))], now: at(219)).isEmpty)
        #expect(
            tracker.update(conditions: [condition(.active, timing: timing, since: at(100))], now: at(220)).map(\.to)
                == [.firing])
    }

    @Test("keep_firing_for: resolved only once the condition was last seen that long ago")
    func keepFiringFor() {
        var tracker = AlertTracker()
        let timing = AlertTiming(keepFiringFor: .minutes(5))
        _ = tracker.update(conditions: [condition(.active, timing: timing)], now: at(0))
        _ = tracker.update(conditions: [condition(.active, timing: timing)], now: at(60))
        #expect(tracker.update(conditions: [condition(.inactive, timing: timing)], now: at(61)).isEmpty)
        #expect(tracker.update(conditions: [condition(.inactive, timing: timing)], now: at(359)).isEmpty)
        let resolved = tracker.update(conditions: [condition(.inactive, timing: timing, value: 50)], now: at(360))
        #expect(resolved.map(\.to) == [.resolved])
        #expect(tracker.alerts.first?.endsAt == at(360))
    }

    @Test("hysteresis end to end: 66 fires, 63 holds, 62.1 holds, 62 resolves; the band starts nothing")
    func hysteresisThroughEvaluator() throws {
        let configuration = try alerts(
            """
            alerts:
              rules:
                - {name: b_humidity, kind: threshold, device: zone-b-climate, point: humidity,
                   above: 65, clear_margin: 3}
            """)
        let evaluator = AlertEvaluator(configuration: configuration)
        var tracker = AlertTracker()
        func step(_ humidity: Double, _ seconds: Double) -> [AlertState] {
            let now = at(seconds)
            let observation = AlertObservation(devices: ["zone-b-climate": answering(["humidity": humidity], now: now)])
            let conditions = configuration.rules(named: "b_humidity").flatMap {
                evaluator.evaluate($0, observation, now: now)
            }
            return tracker.update(conditions: conditions, now: now).map(\.to)
        }
        #expect(step(64, 0) == [])
        #expect(step(66, 10) == [.firing])
        #expect(step(63, 20) == [])
        #expect(step(62.1, 30) == [])
        #expect(step(62, 40) == [.resolved])
        #expect(step(64, 50) == [])
        #expect(tracker.alerts.filter { $0.state.isOpen }.isEmpty)
        #expect(tracker.alerts.first?.peakValue == 66)
    }

    @Test("no data never resolves a threshold alert: an hour unknown leaves it firing")
    func unknownNeverResolves() {
        var tracker = AlertTracker()
        _ = tracker.update(conditions: [condition(.active, value: 70)], now: at(0))
        for minute in 1...60 {
            #expect(tracker.update(conditions: [condition(.unknown)], now: at(Double(minute) * 60)).isEmpty)
        }
        // Nor does a condition missing from an evaluation.
        #expect(tracker.update(conditions: [], now: at(3700)).isEmpty)
        #expect(tracker.alerts.first?.state == .firing)
        #expect(tracker.alerts.first?.lastValue == 70)
        #expect(tracker.update(conditions: [condition(.inactive, value: 50)], now: at(3800)).map(\.to) == [.resolved])
    }

    @Test("a condition that returns after resolving is a new occurrence with the same fingerprint")
    func newOccurrence() throws {
        var tracker = AlertTracker()
        _ = tracker.update(conditions: [condition(.active)], now: at(0))
        _ = tracker.update(conditions: [condition(.inactive)], now: at(10))
        _ = tracker.update(conditions: [condition(.active)], now: at(20))
        #expect(tracker.alerts.count == 2)
        let (old, new) = (tracker.alerts[0], tracker.alerts[1])
        #expect(old.state == .resolved)
        #expect(new.state == .firing)
        #expect(old.fingerprint == new.fingerprint)
        #expect(new.id == old.id + 1)
        #expect(tracker.openAlert(fingerprint: new.fingerprint)?.id == new.id)
        // Resolved alerts stay for the retention (15 min), then leave.
        _ = tracker.update(conditions: [condition(.active)], now: at(10 + 900))
        #expect(tracker.alerts.count == 2)
        _ = tracker.update(conditions: [condition(.active)], now: at(10 + 901))
        #expect(tracker.alerts.map(\.id) == [new.id])
    }

    @Test("flapping every 30 s with keep_firing_for 2m fires once and resolves once, 2 m after the last holding")
    func flappingDamped() {
        var tracker = AlertTracker()
        let timing = AlertTiming(keepFiringFor: .minutes(2))
        var transitions: [AlertTransition] = []
        for step in 0..<20 {
            let status: AlertCondition.Status = step % 2 == 0 ? .active : .inactive
            transitions += tracker.update(conditions: [condition(status, timing: timing)], now: at(Double(step) * 30))
        }
        #expect(transitions.map(\.to) == [.firing])
        // Last holding at 540 s; 660 s is 2 m later.
        for seconds in stride(from: 600.0, through: 630, by: 30) {
            #expect(tracker.update(conditions: [condition(.inactive, timing: timing)], now: at(seconds)).isEmpty)
        }
        #expect(
            tracker.update(conditions: [condition(.inactive, timing: timing)], now: at(660)).map(\.to) == [.resolved])
    }

    @Test("min_firing keeps a brief alert up for its minimum, then resolves it")
    func minimumFiring() {
        var tracker = AlertTracker()
        let timing = AlertTiming(minimumFiring: .minutes(5))
        _ = tracker.update(conditions: [condition(.active, timing: timing)], now: at(0))
        #expect(tracker.update(conditions: [condition(.inactive, timing: timing)], now: at(1)).isEmpty)
        #expect(tracker.update(conditions: [condition(.inactive, timing: timing)], now: at(299)).isEmpty)
        #expect(
            tracker.update(conditions: [condition(.inactive, timing: timing)], now: at(300)).map(\.to) == [.resolved])
    }

    @Test("acknowledging records who, when and why; it stays acknowledged until it resolves")
    func acknowledge() throws {
        var tracker = AlertTracker()
        _ = tracker.update(conditions: [condition(.active, value: 70)], now: at(0))
        let id = try #require(tracker.alerts.first?.id)
        let transition = try tracker.acknowledge(.id(id), by: "maria", comment: "dehumidifier on", now: at(30))
        #expect(transition.from == .firing)
        #expect(transition.to == .acknowledged)
        #expect(transition.by == "maria")
        #expect(transition.comment == "dehumidifier on")
        let alert = try #require(tracker.alert(id: id))
        #expect(alert.acknowledgement == Alert.Acknowledgement(by: "maria", at: at(30), comment: "dehumidifier on"))
        #expect(tracker.update(conditions: [condition(.active)], now: at(60)).isEmpty)
        #expect(tracker.alert(id: id)?.state == .acknowledged)
        #expect(tracker.update(conditions: [condition(.inactive)], now: at(90)).map(\.from) == [.acknowledged])
        #expect(tracker.alert(id: id)?.history.map(\.to) == [.firing, .acknowledged, .resolved])
    }

    @Test("acknowledging is refused for unknown, pending, resolved and already acknowledged alerts, and without a name")
    func acknowledgeRefusals() throws {
        var tracker = AlertTracker()
        _ = tracker.update(
            conditions: [condition(.active), condition(.active, device: "other", timing: tenMinutes)], now: at(0))
        let firing = try #require(tracker.alerts.first { $0.state == .firing })
        let pending = try #require(tracker.alerts.first { $0.state == .pending })
        func refusal(_ reference: AlertTracker.Reference, by person: String = "ana") -> String? {
            do {
                _ = try tracker.acknowledge(reference, by: person, comment: "", now: at(5))
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal(.id(99))?.contains("no such alert") == true)
        #expect(refusal(.id(pending.id))?.contains("pending") == true)
        #expect(refusal(.fingerprint(firing.fingerprint), by: "  ")?.contains("who") == true)
        #expect(refusal(.fingerprint(firing.fingerprint)) == nil)
        #expect(refusal(.id(firing.id))?.contains("already acknowledged by ana") == true)
        _ = tracker.update(conditions: [condition(.inactive)], now: at(10))
        #expect(refusal(.id(firing.id))?.contains("resolved") == true)
    }

    @Test("a tracker restored from JSON carries on: no transition repeats, ids continue")
    func restore() throws {
        var tracker = AlertTracker()
        _ = tracker.update(
            conditions: [condition(.active), condition(.active, device: "slow", timing: tenMinutes)], now: at(0))
        _ = try tracker.acknowledge(.id(1), by: "ana", comment: "on it", now: at(5))
        let saved = try JSONEncoder().encode(tracker)
        var restored = try JSONDecoder().decode(AlertTracker.self, from: saved)
        #expect(restored == tracker)
        let same = [condition(.active), condition(.active, device: "slow", timing: tenMinutes)]
        #expect(restored.update(conditions: same, now: at(60)).isEmpty)
        // The pending alert's `for` still counts from before the restart.
        #expect(restored.update(conditions: same, now: at(600)).map(\.alertID) == [2])
        _ = restored.update(conditions: same + [condition(.active, device: "new")], now: at(601))
        #expect(restored.alerts.map(\.id) == [1, 2, 3])
        // Restoring from the store's rows instead: ids continue after the highest.
        let fromRows = AlertTracker(alerts: restored.alerts)
        #expect(fromRows.nextID == 4)
    }
}

@Test("retiring after a configuration change closes the alerts no rule produces any more, and only those")
func retireAfterReload() {
    var tracker = AlertTracker()
    let timing = AlertTiming(pendingFor: .minutes(10))
    _ = tracker.update(
        conditions: [
            condition(.active, device: "kept"), condition(.active, device: "gone"),
            condition(.active, device: "gone-pending", timing: timing),
        ], now: at(0))
    let kept = tracker.alerts[0].fingerprint
    let transitions = tracker.retire(keeping: [kept], now: at(60), reason: "rule removed")
    #expect(transitions.map(\.to) == [.resolved, .inactive])
    #expect(transitions.allSatisfy { $0.comment == "rule removed" })
    #expect(tracker.alerts.filter { $0.state.isOpen }.map(\.fingerprint) == [kept])
}
