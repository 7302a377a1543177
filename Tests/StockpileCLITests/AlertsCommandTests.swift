import Foundation
import Glibc
import StockpileAlerts
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Testing

/// A data directory whose store holds three alerts, written through the store API as the agent would:
/// #1 resolved humidity, #2 a firing unrecorded removal, #3 a pending stale sensor.
struct AlertsStore {
    let directory: String
    var store: String { directory + "/stockpile.sqlite" }
    var lockFile: String { directory + "/agent.lock" }

    /// 2025-12-01T08:00:00Z: long enough ago that `--since 1h` never sees the fixture's transitions.
    static let start = Date(timeIntervalSince1970: 1_764_576_000)

    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    static func condition(
        _ rule: String, _ labels: [String: String], _ status: AlertCondition.Status, severity: AlertSeverity,
        timing: AlertTiming = AlertTiming(), value: Double? = nil
    ) -> AlertCondition {
        AlertCondition(
            rule: rule,
            labels: labels.merging(["alertname": rule, "severity": severity.rawValue, "site": "demo"]) {
                first, _ in first
            }, severity: severity, timing: timing, status: status, value: value, summary: "\(rule) summary")
    }

    static let humidity = condition(
        "bay_b_humidity", ["device": "zone-b-climate", "point": "humidity"], .active,
        severity: .warning, value: 66.5)
    static let removal = condition(
        "unrecorded_movement", ["location": "bay-b1", "event": "unrecorded_movement"], .active, severity: .critical,
        value: -25)
    static let stale = condition(
        "dock_sensor_stale", ["device": "zone-c-climate", "point": "humidity"], .active, severity: .warning,
        timing: AlertTiming(pendingFor: .seconds(180)))

    static func make() async throws -> AlertsStore {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockpile-alerts-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fixture = AlertsStore(directory: directory)
        let database = try AppDatabase.open(path: fixture.store)
        var tracker = AlertTracker()
        var cleared = humidity
        cleared.status = .inactive
        cleared.value = 61
        let rounds: [(Double, [AlertCondition])] = [
            (0, [humidity]), (60, [humidity, removal]), (600, [cleared, removal, stale]),
        ]
        for (seconds, conditions) in rounds {
            let transitions = tracker.update(conditions: conditions, now: at(seconds))
            try await database.saveAlerts(tracker.alerts, transitions: transitions)
        }
        return fixture
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    func database() throws -> AppDatabase { try AppDatabase.open(path: store) }

    /// `stockpile alerts ARGUMENTS --data-dir DIR`.
    func run(_ arguments: [String]) async throws -> StockpileRunner.Outcome {
        try await StockpileRunner.run(["alerts"] + arguments + ["--data-dir", directory])
    }

    /// Holds `DIR/agent.lock` as a running agent does, until `release`.
    func holdLock() throws -> Int32 {
        let descriptor = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            throw StockpileRunner.LaunchFailure(description: "cannot lock \(lockFile)")
        }
        return descriptor
    }

    /// The first request the CLI leaves, as the agent would find it (polled: the CLI is another process).
    func awaitRequest(_ database: AppDatabase) async throws -> AlertRequest {
        for _ in 0..<400 {
            if let request = try await database.pendingRequests().first { return request }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw StockpileRunner.LaunchFailure(description: "the CLI left no request within 10 s")
    }
}

private func lines(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init)
}

private func jsonArray(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
}

/// RFC 3339 in UTC, as the JSON output writes every time.
private func isUTCTime(_ value: Any?) -> Bool {
    guard let text = value as? String, text.hasSuffix("Z") else { return false }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let plain = ISO8601DateFormatter()
    return plain.date(from: text) != nil || formatter.date(from: text) != nil
}

@Suite("stockpile alerts")
struct AlertsCommandTests {
    @Test("list shows the open alerts newest first; --all adds the resolved one")
    func list() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let open = try await fixture.run(["list"])
        #expect(open.status == 0, "\(open.standardError)")
        let rows = lines(open.standardOutput)
        #expect(rows.first?.hasPrefix("id  state") == true)
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("3 ") && rows[1].contains("pending") && rows[1].contains("dock_sensor_stale"))
        #expect(rows[2].hasPrefix("2 ") && rows[2].contains("firing") && rows[2].contains("critical"))
        #expect(rows[2].contains("event=unrecorded_movement,location=bay-b1"))
        #expect(rows[2].contains("2025-12-01T08:01:00Z") && rows[2].contains("-25"))
        #expect(!open.standardOutput.contains("bay_b_humidity"))

        let all = try await fixture.run(["list", "--all"])
        let allRows = lines(all.standardOutput)
        #expect(allRows.count == 4)
        #expect(allRows[3].hasPrefix("1 ") && allRows[3].contains("resolved") && allRows[3].contains("61"))
    }

    @Test("list --json: numbers as numbers, times RFC 3339 UTC, null where there is nothing")
    func listJSON() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let outcome = try await fixture.run(["list", "--all", "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let alerts = try jsonArray(outcome.standardOutput)
        #expect(alerts.compactMap { $0["id"] as? Int } == [3, 2, 1])
        let removal = alerts[1]
        #expect(removal["value"] as? Double == -25)
        #expect(removal["state"] as? String == "firing")
        #expect((removal["labels"] as? [String: String])?["location"] == "bay-b1")
        #expect(removal["starts_at"] as? String == "2025-12-01T08:01:00Z")
        #expect(isUTCTime(removal["since"]))
        #expect(removal["ends_at"] is NSNull)
        #expect(removal["acknowledgement"] is NSNull)
        let resolved = alerts[2]
        #expect(resolved["triggering_value"] as? Double == 66.5)
        #expect(resolved["ends_at"] as? String == "2025-12-01T08:10:00Z")
        #expect(alerts[0]["starts_at"] is NSNull)
    }

    @Test("show prints one alert with its whole history; an unknown id is exit 1")
    func show() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let outcome = try await fixture.run(["show", "1"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let output = lines(outcome.standardOutput)
        #expect(output.first == "alert #1: bay_b_humidity, warning, resolved")
        #expect(output.contains { $0.contains("values: when fired 66.5, peak 66.5, latest 61") })
        let history = output.drop { $0 != "history:" }.dropFirst(2)
        #expect(history.count == 2)
        #expect(history.first?.contains("inactive") == true && history.first?.contains("firing") == true)
        #expect(history.last?.contains("2025-12-01T08:10:00Z") == true && history.last?.contains("resolved") == true)

        let json = try await fixture.run(["show", "1", "--json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let transitions = try #require(object["history"] as? [[String: Any]])
        #expect(transitions.compactMap { $0["to"] as? String } == ["firing", "resolved"])
        #expect(transitions.last?["value"] as? Double == 61)

        let missing = try await fixture.run(["show", "99"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("no alert #99"))
    }

    @Test("ack without an agent (an unheld lock file) writes it once; a second one, pending, resolved are refused")
    func acknowledgeDirectly() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        // A lock file an agent left when it stopped: nobody holds it, so there is no agent to ask.
        close(try fixture.holdLock())
        let outcome = try await fixture.run(["ack", "2", "--by", "ana", "--comment", "checking bay B1"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("acknowledged #2"))
        let database = try fixture.database()
        let alert = try #require(try await database.alert(id: 2))
        #expect(alert.state == .acknowledged)
        #expect(alert.acknowledgement?.by == "ana")
        #expect(alert.acknowledgement?.comment == "checking bay B1")
        #expect(alert.history.last?.to == .acknowledged)

        let again = try await fixture.run(["ack", "2", "--by", "bo", "--comment", "me too"])
        #expect(again.status == 1)
        #expect(again.standardError.contains("already acknowledged by ana"))
        let pending = try await fixture.run(["ack", "3", "--by", "bo", "--comment", "early"])
        #expect(pending.status == 1)
        #expect(pending.standardError.contains("pending"))
        let resolved = try await fixture.run(["ack", "1", "--by", "bo", "--comment", "late"])
        #expect(resolved.status == 1)
        #expect(resolved.standardError.contains("#1: is resolved"))
        let events = try await database.alertEvents(since: .distantPast).filter { $0.to == .acknowledged }
        #expect(events.count == 1)
        #expect(try await database.pendingRequests().isEmpty)
    }

    @Test("ack while an agent holds the data directory waits for the agent and prints its outcome")
    func acknowledgeThroughAgent() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let lock = try fixture.holdLock()
        defer { close(lock) }
        let database = try fixture.database()
        // A long wait: the test's part of the agent may be slow on a loaded machine; the CLI returns as it answers.
        async let outcome = fixture.run(["ack", "2", "--by", "ana", "--comment", "on my way", "--wait", "2m"])
        // The test plays the agent: it finds the request, applies it to its tracker and completes it.
        let request = try await fixture.awaitRequest(database)
        #expect(request.kind == .acknowledge && request.alertID == 2 && request.by == "ana")
        #expect(request.comment == "on my way")
        // Nothing is written behind the agent's back.
        #expect(try await database.alert(id: 2)?.state == .firing)
        var tracker = try await database.loadAlertTracker(resolvedRetention: .seconds(900))
        let transition = try tracker.acknowledge(
            .id(request.alertID), by: request.by, comment: request.comment, now: Date())
        try await database.saveAlerts([try #require(tracker.alert(id: 2))], transitions: [transition])
        #expect(try await database.completeRequest(id: request.id, at: Date(), outcome: nil))

        let result = try await outcome
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("acknowledged #2 as ana (through the running agent)"))
        let events = try await database.alertEvents(since: .distantPast).filter { $0.to == .acknowledged }
        #expect(events.count == 1)
    }

    @Test("ack through the agent: a refusal is exit 1 with the agent's message")
    func acknowledgeRefusedByAgent() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let lock = try fixture.holdLock()
        defer { close(lock) }
        let database = try fixture.database()
        async let outcome = fixture.run(["ack", "2", "--by", "ana", "--comment", "seen"])
        let request = try await fixture.awaitRequest(database)
        _ = try await database.completeRequest(id: request.id, at: Date(), outcome: "#2: already acknowledged by bo")
        let result = try await outcome
        #expect(result.status == 1)
        #expect(result.standardError.contains("#2: already acknowledged by bo"))
        #expect(try await database.alert(id: 2)?.state == .firing)
    }

    @Test("ack through an agent that does not answer: exit 1 saying so, and the request is withdrawn")
    func acknowledgeUnanswered() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let lock = try fixture.holdLock()
        defer { close(lock) }
        let result = try await fixture.run(["ack", "2", "--by", "ana", "--comment", "hello?"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("did not answer"))
        let database = try fixture.database()
        #expect(try await database.pendingRequests().isEmpty)
        let request = try #require(try await database.request(id: 1))
        #expect(request.isDone && !request.isAccepted)
        #expect(try await database.alert(id: 2)?.state == .firing)
    }

    @Test("silence prints an id the store holds; silences lists it; unsilence expires it and keeps the record")
    func silences() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let outcome = try await fixture.run([
            "silence", "--match", "device=bay-b1-scale", "--match", "severity!=info", "--for", "2h", "--by", "ana",
            "--comment", "recalibration",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let id = outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let database = try fixture.database()
        let active = try await database.silences(activeAt: Date())
        #expect(active.map(\.id) == [id])
        let silence = try #require(active.first)
        #expect(silence.matchers.map(\.description) == ["device=bay-b1-scale", "severity!=info"])
        #expect(silence.createdBy == "ana" && silence.comment == "recalibration")
        #expect(abs(silence.endsAt.timeIntervalSince(silence.startsAt) - 7200) < 0.001)

        let listed = try await fixture.run(["silences"])
        #expect(listed.standardOutput.contains(id) && listed.standardOutput.contains("active"))
        let json = try jsonArray(try await fixture.run(["silences", "--json"]).standardOutput)
        #expect(json.first?["id"] as? String == id)
        #expect(isUTCTime(json.first?["ends_at"]))

        let ended = try await fixture.run(["unsilence", id, "--by", "bo"])
        #expect(ended.status == 0, "\(ended.standardError)")
        #expect(try await database.silences(activeAt: Date()).isEmpty)
        #expect(try await !fixture.run(["silences"]).standardOutput.contains(id))
        let all = try await fixture.run(["silences", "--all"])
        #expect(all.standardOutput.contains(id) && all.standardOutput.contains("expired"))
        let twice = try await fixture.run(["unsilence", id, "--by", "bo"])
        #expect(twice.status == 1)
        #expect(twice.standardError.contains("already over"))
    }

    @Test("silence with --until and --starts; missing or contradictory options are usage errors (exit 2)")
    func silenceOptions() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let base = ["silence", "--by", "ana", "--comment", "c"]
        let until = try await fixture.run(
            base + ["--match", "zone=~bay-.*", "--starts", "2099-01-01T00:00:00Z", "--until", "2099-01-02T00:00:00Z"])
        #expect(until.status == 0, "\(until.standardError)")
        let stored = try #require(try await fixture.database().silences(activeAt: nil).first)
        #expect(UTCTimestamp.text(stored.startsAt) == "2099-01-01T00:00:00Z")
        #expect(UTCTimestamp.text(stored.endsAt) == "2099-01-02T00:00:00Z")
        #expect(try await fixture.run(["silences"]).standardOutput.contains("pending"))

        let refusals: [([String], String)] = [
            (base + ["--for", "1h"], "--match"),
            (base + ["--match", "device=x"], "--for or --until"),
            (base + ["--match", "device=x", "--for", "1h", "--until", "2099-01-01T00:00:00Z"], "--for and --until"),
            (base + ["--match", "devcie=x", "--for", "1h"], "--match"),
            (base + ["--match", "zone=~(", "--for", "1h"], "--match"),
            (
                base + ["--match", "device=x", "--starts", "2099-01-02T00:00:00Z", "--until", "2099-01-01T00:00:00Z"],
                "--until"
            ),
        ]
        for (arguments, name) in refusals {
            let outcome = try await fixture.run(arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.standardError)")
            #expect(outcome.standardError.contains(name), "\(arguments): \(outcome.standardError)")
        }
        #expect(try await fixture.database().silences(activeAt: nil).count == 1)
    }

    @Test("history lists the transitions since an instant, oldest first, as a table or JSON")
    func history() async throws {
        let fixture = try await AlertsStore.make()
        defer { fixture.remove() }
        let outcome = try await fixture.run(["history", "--since", "2025-12-01T08:01:00Z"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let rows = lines(outcome.standardOutput).dropFirst()
        #expect(rows.count == 3)
        #expect(rows.first?.contains("unrecorded_movement") == true)
        // At one instant, in the order the tracker made them: the humidity resolving, the stale sensor starting.
        #expect(rows.dropFirst().allSatisfy { $0.hasPrefix("2025-12-01T08:10:00Z") })
        #expect(rows.dropFirst().first?.contains("resolved") == true && rows.last?.contains("pending") == true)

        let json = try jsonArray(
            try await fixture.run(["history", "--since", "2025-12-01T00:00:00Z", "--json"]).standardOutput)
        #expect(json.compactMap { $0["alert_id"] as? Int } == [1, 2, 1, 3])
        #expect(json.compactMap { $0["at"] as? String }.first == "2025-12-01T08:00:00Z")
        #expect(json.first?["value"] as? Double == 66.5)
        #expect(json.first?["by"] is NSNull)
        // A transition now: a duration ago (and the default, a day) counts back from the clock.
        let database = try fixture.database()
        var tracker = try await database.loadAlertTracker(resolvedRetention: .seconds(900))
        let now = tracker.update(
            conditions: [AlertsStore.condition("door_2", ["device": "doors-io"], .active, severity: .critical)],
            now: Date())
        try await database.saveAlerts(tracker.alerts, transitions: now)
        for arguments in [["history", "--since", "1h", "--json"], ["history", "--json"]] {
            let recent = try jsonArray(try await fixture.run(arguments).standardOutput)
            #expect(recent.compactMap { $0["rule"] as? String } == ["door_2"], "\(arguments)")
        }
    }
}

@Suite("stockpile config check: the alerts section")
struct ConfigCheckAlertsTests {
    /// The demo site without its own `alerts` section.
    static func withoutAlerts(_ text: String) -> String {
        text.range(of: "\n# Alerts (docs/alerts.md)").map { String(text[..<$0.lowerBound]) + "\n" } ?? text
    }

    @Test("the alerts line counts the site's rules beside the defaults, and names its receivers")
    func counted() async throws {
        let site = try LedgerSite.make()
        defer { site.remove() }
        let text = Self.withoutAlerts(try String(contentsOfFile: site.site, encoding: .utf8))
        let plain = try await StockpileRunner.run(["config", "check", try site.write(text, to: "plain.yaml")])
        #expect(plain.status == 0, "\(plain.standardError)")
        let plainLine = try #require(lines(plain.standardOutput).first { $0.hasPrefix("alerts: ") })
        #expect(plainLine.hasSuffix("no receiver besides the log"))
        let defaults = try #require(Int(plainLine.dropFirst("alerts: ".count).prefix { $0.isNumber }))
        #expect(plainLine.hasPrefix("alerts: \(defaults) rules (\(defaults) of them defaults)"))

        let withAlerts = try site.write(
            text + """

                alerts:
                  rules:
                    - {name: dock_sensor_stale, kind: stale, device: zone-c-climate, point: humidity, for: 3m}
                  receivers:
                    - {name: control-room, type: webhook, url: "http://127.0.0.1:9/hook"}

                """, to: "with-alerts.yaml")
        let outcome = try await StockpileRunner.run(["config", "check", withAlerts])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(
            lines(outcome.standardOutput).contains(
                "alerts: \(defaults + 1) rules (\(defaults) of them defaults), "
                    + "1 receiver besides the log (control-room)"
            ))
    }

    @Test("a mistake in the alerts section fails the check at its file, line and field")
    func mistake() async throws {
        let site = try LedgerSite.make()
        defer { site.remove() }
        let text = Self.withoutAlerts(try String(contentsOfFile: site.site, encoding: .utf8))
        let broken = try site.write(
            text + """

                alerts:
                  rules:
                    - {name: dock_sensor_stale, kind: stale, device: zone-c-climate, point: no_such_point, for: 3m}

                """, to: "broken.yaml")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).count + 3
        let outcome = try await StockpileRunner.run(["config", "check", broken])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("broken.yaml:\(line):"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("alerts.rules[0].point"), "\(outcome.standardError)")
    }
}
