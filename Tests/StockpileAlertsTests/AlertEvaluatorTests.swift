import Foundation
import StockpileAlerts
import StockpileDomain
import Testing

@Suite("evaluating rules against an observation")
struct AlertEvaluatorTests {
    let configuration: AlertConfiguration
    let evaluator: AlertEvaluator

    init() throws {
        configuration = try alerts(
            """
            alerts:
              rules:
                - {name: b_humidity, kind: threshold, device: zone-b-climate, point: humidity,
                   above: 65, clear_margin: 3}
                - {name: b1_loss, kind: rate, location: bay-b1, falling_faster_than: 5, window: 30m, severity: critical}
                - {name: dock_stale, kind: stale, device: zone-c-climate, point: humidity, for: 2m}
                - {name: dose_fault, kind: device_status, device: zone-a-dose, bad_points: [dose_rate]}
                - {name: door_2_open, kind: door, device: doors-io, point: door_2, open_longer_than: 10m}
                - name: door_3_hours
                  kind: door
                  device: doors-io
                  point: door_3
                  schedule: {utc_offset: Z, open: [{days: [tue], from: "08:00", to: "17:00"}]}
            """)
        evaluator = AlertEvaluator(configuration: configuration)
    }

    func conditions(_ rule: String, _ observation: AlertObservation, now: Date) -> [AlertCondition] {
        configuration.rules(named: rule).flatMap { evaluator.evaluate($0, observation, now: now) }
    }

    @Test("a threshold is active above its limit, in its band down to the clearing level, inactive at it")
    func thresholdStates() throws {
        let now = at(100)
        func status(_ value: Double) -> AlertCondition.Status? {
            let observation = AlertObservation(devices: ["zone-b-climate": answering(["humidity": value], now: now)])
            return conditions("b_humidity", observation, now: now).first?.status
        }
        #expect(status(65.5) == .active)
        #expect(status(65) == .band)
        #expect(status(62.5) == .band)
        #expect(status(62) == .inactive)
        let observation = AlertObservation(devices: ["zone-b-climate": answering(["humidity": 66], now: now)])
        let condition = try #require(conditions("b_humidity", observation, now: now).first)
        #expect(
            condition.labels == [
                "alertname": "b_humidity", "severity": "warning", "site": "demo-warehouse", "device": "zone-b-climate",
                "bus": "main", "zone": "bay-b", "point": "humidity", "limit": "above 65",
            ])
        #expect(condition.fingerprint == AlertLabels.fingerprint(condition.labels))
        #expect(condition.value == 66)
        #expect(condition.summary.contains("clears at 62"))
    }

    @Test("a threshold on an offline device, a stale or bad point, or a device never seen is unknown, never inactive")
    func thresholdUnknown() {
        let now = at(100)
        var offline = answering(["humidity": 66], now: now)
        offline.health = .offline
        let stale = answering(["humidity": 66], now: now, quality: .stale)
        let bad = answering(["humidity": 66], now: now, quality: .bad)
        for device in [offline, stale, bad] {
            let observation = AlertObservation(devices: ["zone-b-climate": device])
            #expect(conditions("b_humidity", observation, now: now).map(\.status) == [.unknown])
        }
        #expect(conditions("b_humidity", AlertObservation(), now: now).map(\.status) == [.unknown])
    }

    @Test("a location losing 25 kg in 30 minutes falls at 50 kg/h, past a 5 kg/h limit")
    func rateOfLoss() throws {
        let now = at(1800)
        var scale = answering(["gross": 975], now: now)
        // One reading a minute from 1000 kg down to 975 kg: a straight line, −50 kg/h.
        scale.points["gross"]?.history = (0...30).map {
            AlertObservation.Sample(at: at(Double($0) * 60), value: 1000 - Double($0) * 25 / 30)
        }
        let condition = try #require(
            conditions("b1_loss", AlertObservation(devices: ["bay-b1-scale": scale]), now: now).first)
        #expect(condition.status == .active)
        #expect(abs((condition.value ?? 0) + 50) < 1e-9)
        #expect(condition.labels["location"] == "bay-b1")
        #expect(condition.labels["limit"] == "falling faster than 5/h")
        // A steady scale is inactive; a history spanning less than half the window is unknown.
        scale.points["gross"]?.history = (0...30).map { AlertObservation.Sample(at: at(Double($0) * 60), value: 975) }
        #expect(
            conditions("b1_loss", AlertObservation(devices: ["bay-b1-scale": scale]), now: now).map(\.status)
                == [.inactive])
        scale.points["gross"]?.history = (16...30).map { AlertObservation.Sample(at: at(Double($0) * 60), value: 975) }
        #expect(
            conditions("b1_loss", AlertObservation(devices: ["bay-b1-scale": scale]), now: now).map(\.status)
                == [.unknown])
    }

    @Test("an offline device is active since it went offline; an answering one inactive; an unpolled one unknown")
    func offline() throws {
        let now = at(300)
        var device = answering([:], now: now, since: at(100))
        device.health = .offline
        let all = evaluator.evaluate(
            AlertObservation(devices: ["zone-c-climate": device, "zone-a-climate": answering([:], now: now)]), now: now)
        let offline = all.filter { $0.rule == "device_offline" }
        #expect(offline.count == demoSite.devices.count)
        let dock = try #require(offline.first { $0.labels["device"] == "zone-c-climate" })
        #expect(dock.status == .active)
        #expect(dock.activeSince == at(100))
        #expect(dock.isNoData)
        #expect(dock.timing.pendingFor == .seconds(120))
        #expect(offline.first { $0.labels["device"] == "zone-a-climate" }?.status == .inactive)
        #expect(offline.first { $0.labels["device"] == "bay-a1-scale" }?.status == .unknown)
    }

    @Test("a bus whose every device is offline is one active bus alert, since the last of them went")
    func busOffline() throws {
        let now = at(600)
        var devices: [String: AlertObservation.Device] = [:]
        for (offset, name) in ["zone-a-climate", "zone-c-climate", "zone-a-dose"].enumerated() {
            var device = answering([:], now: now, since: at(Double(100 + offset * 10)))
            device.health = .offline
            devices[name] = device
        }
        let bus = try #require(
            evaluator.evaluate(AlertObservation(devices: devices), now: now).first {
                $0.rule == "bus_offline" && $0.labels["bus"] == "line1"
            })
        #expect(bus.status == .active)
        #expect(bus.activeSince == at(120))
        #expect(bus.labels["device"] == nil)
        devices["zone-a-dose"]?.health = .degraded
        let partial = evaluator.evaluate(AlertObservation(devices: devices), now: now).first {
            $0.rule == "bus_offline" && $0.labels["bus"] == "line1"
        }
        #expect(partial?.status == .inactive)
    }

    @Test("a scale's overload flag and a sensor's bad value are device status alerts")
    func deviceStatus() throws {
        let now = at(10)
        let overloaded = answering(["gross": 5100], now: now, flags: ["overload", "stable"])
        let scale = evaluator.evaluate(AlertObservation(devices: ["bay-a1-scale": overloaded]), now: now).first {
            $0.rule == "scale_error" && $0.labels["device"] == "bay-a1-scale"
        }
        #expect(scale?.status == .active)
        #expect(scale?.summary.contains("overload") == true)
        let calm = answering(["gross": 100], now: now, flags: ["stable"])
        let quiet = evaluator.evaluate(AlertObservation(devices: ["bay-a1-scale": calm]), now: now).first {
            $0.rule == "scale_error" && $0.labels["device"] == "bay-a1-scale"
        }
        #expect(quiet?.status == .inactive)
        let bad = answering(["dose_rate": 0], now: now, quality: .bad)
        #expect(
            conditions("dose_fault", AlertObservation(devices: ["zone-a-dose": bad]), now: now).map(\.status) == [
                .active
            ])
    }

    @Test("an open unrecorded movement at bay-b1 is active there and nowhere else; an unread ledger is unknown")
    func ledgerEvents() throws {
        let now = at(400)
        let event = AlertObservation.LedgerEvent(
            kind: .unrecordedMovement, location: "bay-b1", since: at(240), kilograms: -25)
        let found = evaluator.evaluate(AlertObservation(ledgerEvents: [event]), now: now).filter {
            $0.rule == "unrecorded_movement"
        }
        #expect(found.count == demoSite.ledgerLocations.count)
        let b1 = try #require(found.first { $0.labels["location"] == "bay-b1" })
        #expect(b1.status == .active)
        #expect(b1.value == -25)
        #expect(b1.severity == .critical)
        #expect(b1.labels["device"] == "bay-b1-scale")
        #expect(b1.labels["zone"] == "bay-b")
        #expect(found.filter { $0.status == .active }.count == 1)
        let unread = evaluator.evaluate(AlertObservation(ledgerKnown: false), now: now).filter {
            $0.rule == "unrecorded_movement"
        }
        #expect(unread.allSatisfy { $0.status == .unknown })
    }

    @Test("a door open 10 minutes is active from the 10th minute; closed or shorter is inactive")
    func doorOpenTooLong() throws {
        func door(_ open: Bool, since: Date, now: Date) -> AlertObservation {
            var device = answering([:], now: now)
            device.points["door_2"] = AlertObservation.Point(value: open ? 1 : 0, quality: .good, at: now, since: since)
            return AlertObservation(devices: ["doors-io": device])
        }
        let opened = at(0)
        #expect(
            conditions("door_2_open", door(true, since: opened, now: at(599)), now: at(599)).first?.status == .inactive)
        let long = try #require(conditions("door_2_open", door(true, since: opened, now: at(600)), now: at(600)).first)
        #expect(long.status == .active)
        #expect(long.activeSince == at(600))
        #expect(
            conditions("door_2_open", door(false, since: opened, now: at(900)), now: at(900)).first?.status == .inactive
        )
    }

    @Test("a door open outside its schedule is active at once; inside it, inactive")
    func doorOutsideSchedule() {
        func status(_ now: Date) -> AlertCondition.Status? {
            var device = answering([:], now: now)
            device.points["door_3"] = AlertObservation.Point(value: 1, quality: .good, at: now, since: now)
            return conditions("door_3_hours", AlertObservation(devices: ["doors-io": device]), now: now).first?.status
        }
        #expect(status(at(7 * 3600 + 3599)) == .active)  // Tuesday 07:59:59 UTC
        #expect(status(at(8 * 3600)) == .inactive)
        #expect(status(at(17 * 3600)) == .active)
    }

    @Test("humidity above the stored material's limit uses the limit the observation supplies")
    func materialHumidity() {
        let now = at(50)
        let rule = configuration.rules(named: "humidity_above_material_limit")[0]
        func status(_ humidity: Double, limits: [String: Double]) -> AlertCondition.Status? {
            let observation = AlertObservation(
                devices: ["zone-b-climate": answering(["humidity": humidity], now: now)], materialHumidityLimits: limits
            )
            return evaluator.evaluate(rule, observation, now: now).first { $0.labels["device"] == "zone-b-climate" }?
                .status
        }
        #expect(status(61, limits: ["bay-b": 60]) == .active)
        #expect(status(58, limits: ["bay-b": 60]) == .band)
        #expect(status(57, limits: ["bay-b": 60]) == .inactive)
        #expect(status(90, limits: ["bay-a": 60]) == .inactive)
    }
}

@Test("a stale point is active from its last fresh reading; a bad one is fresh; an offline device unknown")
func stalePoint() throws {
    let configuration = try alerts(
        "alerts:\n  rules:\n    - {name: dock_stale, kind: stale, device: zone-c-climate, point: humidity, for: 2m}\n")
    let rule = configuration.rules(named: "dock_stale")[0]
    let evaluator = AlertEvaluator(configuration: configuration)
    func judge(_ quality: ReadingQuality, health: DeviceHealth = .online) -> AlertCondition? {
        var device = answering([:], now: at(300), quality: quality)
        device.health = health
        device.points["humidity"] = AlertObservation.Point(
            value: 50, quality: quality, at: at(300), lastFreshAt: quality == .stale ? at(100) : nil)
        return evaluator.evaluate(rule, AlertObservation(devices: ["zone-c-climate": device]), now: at(300)).first
    }
    #expect(judge(.stale)?.status == .active)
    #expect(judge(.stale)?.activeSince == at(100))
    #expect(judge(.stale)?.timing.pendingFor == .seconds(120))
    #expect(judge(.bad)?.status == .inactive)
    #expect(judge(.good)?.status == .inactive)
    #expect(judge(.stale, health: .offline)?.status == .unknown)
}
