import Foundation
import StockpileAlerts
import StockpileDomain
import Testing

/// The demo scenario's three incidents, as the agent would observe them every 5 s, through the whole
/// pure pipeline: evaluator, tracker, suppression, one webhook planner and the beacon.
///
/// The synthetic story (seconds from the start): bay B's humidity is 40 %RH until 180, climbs linearly
/// to 70 at 480, holds until 1680, falls linearly to 40 at 1980. 25 kg leave bay B1 at 240; the
/// movement scan reports it open from 270. The dock sensor is offline from 375 (its third missed
/// poll after 360) until it answers at 540. Ana acknowledges the removal at 600.
@Suite("the demo story through the pure pipeline")
struct DemoStoryTests {
    struct Sent: Equatable, CustomStringConvertible {
        var at: Double
        var alertname: String
        var status: String
        var description: String { "\(Int(at)) \(alertname) \(status)" }
    }

    static func humidity(_ t: Double) -> Double {
        switch t {
        case ..<180: 40
        case ..<480: 40 + 30 * (t - 180) / 300
        case ..<1680: 70
        case ..<1980: 70 - 30 * (t - 1680) / 300
        default: 40
        }
    }

    @Test(
        "humidity pending 435, firing 555, resolved 1760; the removal firing 270; the dock offline 495–540"
    )
    func story() throws {
        let configuration = try alerts(
            """
            alerts:
              rules:
                - {name: bay_b_humidity, kind: threshold, device: zone-b-climate, point: humidity, above: 65, clear_margin: 3, for: 2m}
              receivers:
                - {name: room, type: webhook, url: "http://127.0.0.1:9/hook", group_by: [alertname], group_wait: 10s, group_interval: 1m}
              beacon: {device: doors-io, coil: beacon}
            """)
        let evaluator = AlertEvaluator(configuration: configuration)
        var tracker = AlertTracker()
        var planner = NotificationPlanner(receiver: try #require(configuration.receiver(named: "room")))
        var transitions: [String: [(Double, AlertState)]] = [:]
        var sent: [Sent] = []
        var beaconChanges: [(Double, Bool)] = []
        var beacon = false
        for step in 0...400 {
            let t = Double(step) * 5
            let now = at(t)
            var devices: [String: AlertObservation.Device] = [
                "zone-b-climate": answering(["humidity": Self.humidity(t)], now: now),
                "zone-a-climate": answering(["humidity": 38], now: now),
                "zone-a-dose": answering(["dose_rate": 0.12], now: now),
                "zone-c-climate": answering(["humidity": 50], now: now),
            ]
            if t >= 375 && t < 540 {
                devices["zone-c-climate"]?.health = .offline
                devices["zone-c-climate"]?.since = at(375)
            }
            let open =
                t >= 270
                ? [
                    AlertObservation.LedgerEvent(
                        kind: .unrecordedMovement, location: "bay-b1", since: at(240), kilograms: -25)
                ]
                : []
            let observation = AlertObservation(devices: devices, ledgerEvents: open)
            for transition in tracker.update(conditions: evaluator.evaluate(observation, now: now), now: now) {
                transitions[transition.rule, default: []].append((t, transition.to))
            }
            if t == 600 {
                let removal = try #require(tracker.alerts.first { $0.rule == "unrecorded_movement" })
                let acknowledged = try tracker.acknowledge(
                    .id(removal.id), by: "ana", comment: "counted: 25 kg issued, booking late", now: now)
                transitions[acknowledged.rule, default: []].append((t, acknowledged.to))
            }
            let suppression = AlertSuppression(alerts: tracker.alerts, silences: [], now: now)
            for notification in planner.due(alerts: tracker.alerts, suppression: suppression, now: now) {
                for alert in notification.alerts {
                    sent.append(
                        Sent(at: t, alertname: alert.rule, status: alert.state.isFiring ? "firing" : "resolved"))
                }
                planner.noteSuccess(groupKey: notification.groupKey, now: now)
            }
            let lit = AlertBeacon.shouldLight(tracker.alerts, suppression: suppression)
            if lit != beacon {
                beaconChanges.append((t, lit))
                beacon = lit
            }
        }
        // 65.0 exactly at 430 is not above 65; 435 is. Fires 120 s later. Falls to 62.0 exactly at 1760.
        #expect(transitions["bay_b_humidity"]?.map(\.0) == [435, 555, 1760])
        #expect(transitions["bay_b_humidity"]?.map(\.1) == [.pending, .firing, .resolved])
        #expect(transitions["unrecorded_movement"]?.map(\.0) == [270, 600])
        #expect(transitions["unrecorded_movement"]?.map(\.1) == [.firing, .acknowledged])
        // One no-data alert for the dock: pending at 375, firing 2 m later, resolved when it answers.
        #expect(transitions["device_offline"]?.map(\.0) == [375, 495, 540])
        #expect(transitions["device_offline"]?.map(\.1) == [.pending, .firing, .resolved])
        #expect(transitions["bus_offline"] == nil)
        // Groups due at the same instant go in group-key order.
        #expect(
            sent.map(\.description) == [
                "280 unrecorded_movement firing", "505 device_offline firing", "565 bay_b_humidity firing",
                "565 device_offline resolved", "1760 bay_b_humidity resolved",
            ])
        #expect(beaconChanges.map(\.0) == [270, 600])
        #expect(beaconChanges.map(\.1) == [true, false])
    }
}

@Test(
    "a silent RS-485 line is one notification (bus_offline), not one per device, whose alerts are recorded"
)
func silentLineIsOneNotification() throws {
    let configuration = try alerts(
        """
        alerts:
          receivers:
            - {name: room, type: webhook, url: "http://127.0.0.1:9/hook", group_by: ["..."], group_wait: 0s}
        """)
    let evaluator = AlertEvaluator(configuration: configuration)
    var tracker = AlertTracker()
    var planner = NotificationPlanner(receiver: try #require(configuration.receiver(named: "room")))
    var sent: [String] = []
    for step in 0...60 {
        let now = at(Double(step) * 5)
        var devices: [String: AlertObservation.Device] = [:]
        for device in demoSite.devices {
            var observed = answering([:], now: now)
            if device.bus == "line1" {
                observed.health = .offline
                observed.since = at(0)
            }
            devices[device.name] = observed
        }
        _ = tracker.update(conditions: evaluator.evaluate(AlertObservation(devices: devices), now: now), now: now)
        let suppression = AlertSuppression(alerts: tracker.alerts, silences: [], now: now)
        for notification in planner.due(alerts: tracker.alerts, suppression: suppression, now: now) {
            sent += notification.alerts.map { "\($0.rule) \($0.labels["device"] ?? $0.labels["bus"] ?? "")" }
            planner.noteSuccess(groupKey: notification.groupKey, now: now)
        }
    }
    #expect(sent == ["bus_offline line1"])
    let recorded = tracker.alerts.filter { $0.rule == "device_offline" && $0.state == .firing }
    #expect(
        recorded.compactMap { $0.labels["device"] }.sorted() == ["zone-a-climate", "zone-a-dose", "zone-c-climate"])
}
