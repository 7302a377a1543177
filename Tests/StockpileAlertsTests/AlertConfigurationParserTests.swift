import Foundation
import StockpileAlerts
import StockpileDomain
import Testing

@Suite("the alerts section of a site file")
struct AlertConfigurationParserTests {
    @Test("a site without an alerts section gets the five defaults and the log receiver")
    func defaultsWithoutSection() throws {
        let configuration = try alerts("site: {id: x}\n")
        #expect(configuration.rules.map(\.name) == AlertDefaults.names)
        #expect(configuration.receivers.map(\.name) == ["log"])
        #expect(configuration.beacon == nil)
        guard case .offline(let devices) = configuration.rules(named: "device_offline").first?.kind else {
            Issue.record("device_offline is not an offline rule")
            return
        }
        #expect(devices == demoSite.devices.map(\.name))
        guard case .deviceStatus(_, _, let scales) = configuration.rules(named: "scale_error").first?.kind else {
            Issue.record("scale_error is not a status rule")
            return
        }
        #expect(
            scales == ["bay-a1-scale", "bay-a2-scale", "bay-a3-scale", "bay-b1-scale", "bay-b2-scale", "bay-b3-scale"])
        guard
            case .materialHumidity(_, _, let humid) = configuration.rules(named: "humidity_above_material_limit")
                .first?.kind
        else {
            Issue.record("no material humidity default")
            return
        }
        #expect(humid == ["zone-a-climate", "zone-b-climate", "zone-c-climate"])
    }

    @Test("a threshold with two levels becomes two rules with their own severity and for")
    func thresholdLevels() throws {
        let configuration = try alerts(
            """
            alerts:
              rules:
                - name: bay_b_humidity
                  kind: threshold
                  zone: bay-b
                  point: humidity
                  for: 10m
                  levels:
                    - {above: 60, clear_margin: 3, severity: warning}
                    - {above: 70, clear_margin: 3, severity: critical, for: 2m}
            """)
        let rules = configuration.rules(named: "bay_b_humidity")
        #expect(rules.count == 2)
        #expect(rules.map(\.severity) == [.warning, .critical])
        #expect(rules.map(\.timing.pendingFor) == [.seconds(600), .seconds(120)])
        guard case .threshold(let point, let level, let devices) = rules[1].kind else {
            Issue.record("not a threshold")
            return
        }
        #expect(point == "humidity")
        #expect(level == ThresholdLevel(.above, 70, clearMargin: 3))
        #expect(devices == ["zone-b-climate"])
    }

    @Test("defaults are switched off or changed by name")
    func defaultOverrides() throws {
        let configuration = try alerts(
            """
            alerts:
              defaults:
                device_offline: {for: 5m, severity: critical, keep_firing_for: 1m}
                scale_error: off
                humidity_above_material_limit: {clear_margin: 5}
            """)
        #expect(configuration.rules(named: "scale_error").isEmpty)
        let offline = try #require(configuration.rules(named: "device_offline").first)
        #expect(offline.severity == .critical)
        #expect(offline.timing == AlertTiming(pendingFor: .seconds(300), keepFiringFor: .seconds(60)))
        guard
            case .materialHumidity(_, let margin, _) = configuration.rules(named: "humidity_above_material_limit")
                .first?.kind
        else {
            Issue.record("no material humidity rule")
            return
        }
        #expect(margin == 5)
    }

    @Test("every rule kind parses against the demo site")
    func everyKind() throws {
        let configuration = try alerts(
            """
            alerts:
              external_url: http://stockpile.local:8080
              rules:
                - {name: b1_loss, kind: rate, location: bay-b1, falling_faster_than: 5, window: 30m, severity: critical}
                - {name: a_warming, kind: rate, zone: bay-a, point: temperature, rising_faster_than: 3}
                - {name: dock_silent, kind: stale, device: zone-c-climate, point: humidity, for: 2m}
                - {name: line_down, kind: bus_offline, bus: line1}
                - {name: dose_fault, kind: device_status, device: zone-a-dose, flags: [detector_fault], bad_points: [dose_rate]}
                - {name: ledger_b, kind: ledger, zone: bay-b, events: [moisture_uptake, gradual_loss]}
                - name: door_2
                  kind: door
                  device: doors-io
                  point: door_2
                  open_when: true
                  open_longer_than: 10m
                  schedule:
                    utc_offset: "+02:00"
                    open:
                      - {days: [mon, tue, wed, thu, fri], from: "07:00", to: "18:00"}
              beacon: {device: doors-io, coil: beacon}
            """)
        #expect(configuration.externalURL == "http://stockpile.local:8080")
        #expect(configuration.beacon == AlertConfiguration.Beacon(device: "doors-io", coil: "beacon", address: 0))
        let kinds = configuration.rules.filter { !$0.isDefault }.map(\.kindName)
        #expect(kinds == ["rate", "rate", "stale", "bus_offline", "device_status", "ledger", "door"])
        guard case .rate(let point, let level, let window, let devices) = configuration.rules(named: "b1_loss")[0].kind
        else { return }
        #expect(point == "gross")
        #expect(level == ThresholdLevel(.below, -5))
        #expect(window == .seconds(1800))
        #expect(devices == ["bay-b1-scale"])
        guard case .ledger(let events, let locations) = configuration.rules(named: "ledger_b")[0].kind else { return }
        #expect(events == [.moistureUptake, .gradualLoss])
        #expect(locations == ["bay-b1", "bay-b2", "bay-b3"])
        guard case .door(let door) = configuration.rules(named: "door_2")[0].kind else { return }
        #expect(door.schedule?.utcOffsetSeconds == 7200)
        #expect(door.schedule?.windows.first?.start == 420)
        #expect(door.schedule?.windows.first?.end == 1080)
        #expect(door.openLongerThan == .seconds(600))
    }

    @Test("receivers carry their policy; an Alertmanager receiver re-sends every alert on its own")
    func receivers() throws {
        let configuration = try alerts(
            """
            alerts:
              receivers:
                - name: control-room
                  type: webhook
                  url: https://hooks.example.org/stockpile
                  group_by: [alertname, zone]
                  group_wait: 10s
                  group_interval: 1m
                  repeat_interval: 2h
                  severities: [warning, critical]
                  retry: {initial: 2s, max: 1m}
                - {name: am, type: alertmanager, url: "http://127.0.0.1:9093", resend_interval: 30s}
                - {name: gsm, type: command, path: /usr/local/bin/sms, args: ["+441234"], timeout: 5s}
            """)
        #expect(configuration.receivers.map(\.name) == ["log", "control-room", "am", "gsm"])
        let webhook = try #require(configuration.receiver(named: "control-room"))
        #expect(webhook.kind == .webhook(url: "https://hooks.example.org/stockpile"))
        #expect(webhook.policy.groupBy == ["alertname", "zone"])
        #expect(webhook.policy.groupWait == .seconds(10))
        #expect(webhook.policy.repeatInterval == .seconds(7200))
        #expect(webhook.policy.severities == [.warning, .critical])
        #expect(webhook.policy.retryInitial == .seconds(2))
        #expect(webhook.policy.retryMaximum == .seconds(60))
        let manager = try #require(configuration.receiver(named: "am"))
        #expect(manager.policy.groupBy == ["..."])
        #expect(manager.policy.repeatInterval == .seconds(30))
        #expect(manager.policy.repeatAcknowledged)
        let command = try #require(configuration.receiver(named: "gsm"))
        #expect(command.kind == .command(path: "/usr/local/bin/sms", arguments: ["+441234"], timeout: .seconds(5)))
    }

    @Test(
        "mistakes are refused at their file, line and field",
        arguments: [
            (
                "alerts:\n  rules:\n    - {name: x, kind: threshold, device: zone-b-climate, point: weight, above: 1}\n",
                3, "alerts.rules[0].point", "no point named \"weight\""
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: threshold, zone: bay-b, point: dose_rate, above: 1}\n",
                3, "alerts.rules[0].point", "no device in the zone bay-b has a point named \"dose_rate\""
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: threshold, zone: bay-q, point: humidity, above: 1}\n",
                3, "alerts.rules[0].zone", "no device is in the zone \"bay-q\""
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: threshold, device: zone-b-climate, point: humidity, above: .nan}\n",
                3, "alerts.rules[0].above", "not a finite number"
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: rate, location: bay-b1, falling_faster_than: 5, window: 0s}\n",
                3, "alerts.rules[0].window", "out of range"
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: stale, device: zone-c-climate, point: humidity, colour: red}\n",
                3, "alerts.rules[0].colour", "unknown field"
            ),
            (
                "alerts:\n  rules:\n    - {name: device_offline, kind: offline}\n",
                3, "alerts.rules[0].name", "is a default rule"
            ),
            (
                "alerts:\n  rules:\n    - {name: a, kind: offline}\n    - {name: a, kind: offline}\n",
                4, "alerts.rules[1].name", "used twice"
            ),
            (
                "alerts:\n  rules:\n    - {name: d, kind: device_status, device: bay-a1-scale, flags: [detector_fault]}\n",
                3, "alerts.rules[0].flags", "declares the flag \"detector_fault\""
            ),
            (
                "alerts:\n  rules:\n    - {name: d, kind: door, device: doors-io, point: door_9, open_longer_than: 1m}\n",
                3, "alerts.rules[0].point", "no point named \"door_9\""
            ),
            (
                "alerts:\n  rules:\n    - name: d\n      kind: door\n      device: doors-io\n      point: door_1\n"
                    + "      schedule: {open: [{days: [mon], from: \"18:00\", to: \"07:00\"}]}\n",
                7, "alerts.rules[0].schedule.open[0].to", "later than `from`"
            ),
            (
                "alerts:\n  beacon: {device: doors-io, coil: door_1}\n", 2, "alerts.beacon.coil",
                "no coil named \"door_1\""
            ),
            (
                "alerts:\n  beacon: {device: bay-a1-scale, coil: beacon}\n", 2, "alerts.beacon.coil", "it has no coils"
            ),
            (
                "alerts:\n  receivers:\n    - {name: w, type: webhook, url: \"ftp://x\"}\n", 3,
                "alerts.receivers[0].url", "expected an http:// or https:// URL"
            ),
            (
                "alerts:\n  receivers:\n    - {name: w, type: webhook, url: \"http://x\", group_by: [room]}\n", 3,
                "alerts.receivers[0].group_by", "unknown label \"room\""
            ),
            (
                "alerts:\n  receivers:\n    - {name: w, type: webhook, url: \"http://x\", retry: {initial: 10s, max: 1s}}\n",
                3, "alerts.receivers[0].retry.max", "at least the initial wait"
            ),
            (
                "alerts:\n  receivers:\n    - {name: c, type: command, path: sms}\n", 3, "alerts.receivers[0].path",
                "absolute path"
            ),
            (
                "alerts:\n  defaults:\n    device_offline: {for: -1m}\n", 3, "alerts.defaults.device_offline.for",
                "expected a duration"
            ),
            ("alerts:\n  defaults:\n    door_open: off\n", 3, "alerts.defaults.door_open", "unknown field"),
            (
                "alerts:\n  rules:\n    - {name: x, kind: siren}\n", 3, "alerts.rules[0].kind",
                "unknown rule kind \"siren\""
            ),
            (
                "alerts:\n  rules:\n    - {name: d, kind: door, device: doors-io, point: door_1}\n", 3,
                "alerts.rules[0]",
                "give `open_longer_than` or a `schedule`"
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: threshold, device: zone-b-climate, point: humidity,"
                    + " above: 60, levels: [{above: 70}]}\n",
                3, "alerts.rules[0].above", "inside each level"
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: threshold, device: zone-b-climate, point: humidity,"
                    + " above: 60, below: 10}\n",
                3, "alerts.rules[0].below", "not both"
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: threshold, device: zone-b-climate, zone: bay-b, point: humidity,"
                    + " above: 60}\n",
                3, "alerts.rules[0].zone", "not several"
            ),
            (
                "alerts:\n  rules:\n    - {name: 9x, kind: offline}\n", 3, "alerts.rules[0].name", "not a usable name"
            ),
            (
                "alerts:\n  rules:\n    - {name: x, kind: threshold, device: zone-b-climate, point: humidity,"
                    + " above: 60, clear_margin: -1}\n",
                3, "alerts.rules[0].clear_margin", "out of range"
            ),
            (
                "alerts:\n  receivers:\n    - {name: log, type: webhook, url: \"http://x\"}\n", 3,
                "alerts.receivers[0].name", "built-in log receiver"
            ),
        ])
    func refusals(text: String, line: Int, field: String, message: String) {
        let error = alertsError(text)
        #expect(error?.file == "site.yaml")
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.field == field, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }
}
