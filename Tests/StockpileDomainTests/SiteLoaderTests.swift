import Foundation
import StockpileDomain
import Testing
import StockpileTestSupport

/// A small site: a scale on TCP with a write enabled, a climate sensor on RTU, an IO module.
/// Line numbers in the expected messages below count from `site:` as line 1.
private let fixture = """
    site:
      id: t
      name: Test site
    data_directory: data
    tcp:
      - {name: main, host: 127.0.0.1, port: 1502}
    rtu:
      - {name: line1, device: /dev/ttyUSB0, baud: 9600, parity: E}
    devices:
      - name: scale-1
        profile: scales/laumas-tlu.yaml
        bus: main
        unit: 1
        poll: 1s
        location: {name: bay-1, capacity: 5000, division: 1, class: III}
        zone: bay
        commands: [tare]
      - name: climate-1
        profile: sensors/xy-md02.yaml
        bus: line1
        unit: 2
        poll: {every: 5s, status: 1m}
        zone: bay
      - name: doors
        profile: io/generic-8ch-io.yaml
        bus: main
        unit: 31
    """

private let devicesDirectory = ShippedProfiles.directory

private func parse(_ text: String) throws(ConfigurationError) -> SiteConfiguration {
    try SiteLoader.parse(text, file: "Sites/bad.yaml", profileDirectories: [devicesDirectory])
}

/// One mistake: the fixture with `old` replaced by `new`, and the exact message it must give.
struct SiteMistake: Sendable, CustomTestStringConvertible {
    var name: String
    var old: String
    var new: String
    var expected: String
    var testDescription: String { name }
}

@Suite("Loading site files: the demo site, defaults, and every mistake at its file, line and field")
struct SiteLoaderTests {
    func loadError(replacing old: String, with new: String) -> ConfigurationError? {
        let text = fixture.replacingOccurrences(of: old, with: new)
        #expect(text != fixture, "the replacement must change the fixture")
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - The demo site

    /// One device of the demo scenario, read with the shared YAML walker (the domain does not
    /// depend on the simulator).
    struct SimulatedDevice {
        var name: String
        var profile: String
        var transport: String
        var unit: Int
        var capacity: Double?
        var division: Double?
        var accuracyClass: String?
    }

    func scenarioDevices() throws -> [SimulatedDevice] {
        let file = repository.appendingPathComponent("Simulators/demo-warehouse/scenario.yaml").path
        let root = try YAMLField.parse(try YAMLField.text(ofFile: file), file: file)
        return try root.required("devices").items().map { item in
            let parameters = try item.optional("parameters")
            return SimulatedDevice(
                name: try item.required("name").string(), profile: try item.required("profile").string(),
                transport: try item.required("transport").string(), unit: try item.required("unit").int(),
                capacity: try parameters?.optional("capacity")?.double(),
                division: try parameters?.optional("division")?.double(),
                accuracyClass: try item.optional("accuracy_class")?.string())
        }
    }

    @Test(
        "the demo site polls every device of the demo scenario: same bus, unit, profile, capacity, division and class")
    func demoMatchesScenario() throws {
        let site = try SiteLoader.load(
            file: repository.appendingPathComponent("Simulators/demo-warehouse/site.yaml").path,
            profileDirectories: [devicesDirectory])
        let expected = try scenarioDevices()
        #expect(expected.count == 11)
        #expect(site.devices.map(\.name) == expected.map(\.name))
        for (device, simulated) in zip(site.devices, expected) {
            #expect(device.bus == simulated.transport, "\(device.name)")
            #expect(Int(device.unit) == simulated.unit, "\(device.name)")
            #expect(device.profilePath.hasSuffix("Devices/" + simulated.profile), "\(device.name)")
            if let capacity = simulated.capacity {
                #expect(device.location?.capacity == capacity, "\(device.name)")
                #expect(device.location?.division == simulated.division, "\(device.name)")
            }
            if let accuracyClass = simulated.accuracyClass {
                #expect(device.location?.accuracyClass.rawValue == accuracyClass, "\(device.name)")
            }
        }
        #expect(expected.filter { $0.capacity != nil }.count == 6, "the scenario's six scales")
        #expect(site.id == "demo-warehouse")
        #expect(site.dataDirectory == "demo-data")
        #expect(site.buses.count == 2)
        guard case .tcp(let main)? = site.bus(named: "main"), case .rtu(let line)? = site.bus(named: "line1") else {
            Issue.record("expected TCP main and RTU line1, got \(site.buses)")
            return
        }
        #expect(main.host == "127.0.0.1" && main.port == 1502 && main.connections == 1)
        #expect(line.device == "/tmp/stockpile-demo-rtu" && line.baud == 9600 && line.parity == .even)
        #expect(line.dataBits == 8 && line.stopBits == 1)
    }

    @Test(
        "the demo site binds six scales to bays, sensors to zones, polls scales at 1 s and climate at 5 s, writes nothing"
    )
    func demoBindings() throws {
        let site = try SiteLoader.load(
            file: repository.appendingPathComponent("Simulators/demo-warehouse/site.yaml").path,
            profileDirectories: [devicesDirectory])
        #expect(site.locations.map(\.name) == ["bay-a1", "bay-a2", "bay-a3", "bay-b1", "bay-b2", "bay-b3"])
        #expect(site.locations.allSatisfy { $0.capacity == 5000 && $0.division == 1 && $0.accuracyClass == .medium })
        #expect(site.locations.allSatisfy { $0.divisions == 5000 })
        #expect(site.zones == ["bay-a", "bay-b", "dock"])
        #expect(
            site.devices(inZone: "bay-a").map(\.name) == [
                "bay-a1-scale", "bay-a2-scale", "bay-a3-scale", "zone-a-climate", "zone-a-dose",
            ])
        let scales = site.devices.filter { $0.profile.kind == .scale }
        #expect(scales.count == 6)
        #expect(scales.allSatisfy { $0.poll.cadence(for: .measurement) == .every(.seconds(1)) })
        #expect(scales.allSatisfy { $0.poll.cadence(for: .status) == .every(.seconds(1)) })
        #expect(scales.allSatisfy { $0.poll.cadence(for: .identity) == .once })
        let climate = site.devices.filter { $0.profile.kind == .environment }
        #expect(climate.count == 3)
        #expect(climate.allSatisfy { $0.poll.cadence(for: .measurement) == .every(.seconds(5)) && $0.zone != nil })
        #expect(site.writableDevices.isEmpty)
        #expect(site.devices.allSatisfy { $0.commands.isEmpty })
        #expect(site.devices(on: "line1").map(\.name) == ["zone-a-climate", "zone-c-climate", "zone-a-dose"])
        #expect(site.store == SiteConfiguration.StoreSettings())
    }

    // MARK: - Defaults and values

    @Test("unset fields take their documented defaults; a poll mapping overrides one class; a write is enabled by name")
    func defaults() throws {
        let site = try parse(fixture)
        #expect(site.store.rawRetentionDays == 30)
        #expect(site.store.aggregateRetentionDays == 730)
        #expect(site.store.flushInterval == .seconds(1))
        let scale = try #require(site.device(named: "scale-1"))
        #expect(scale.timeout == .seconds(1) && scale.retries == 1 && scale.staleAfterCycles == 3)
        #expect(scale.command(named: "tare")?.values == [7])
        #expect(scale.command(named: "zero") == nil)
        #expect(site.writableDevices.map(\.name) == ["scale-1"])
        let climate = try #require(site.device(named: "climate-1"))
        #expect(climate.poll.cadence(for: .measurement) == .every(.seconds(5)))
        #expect(climate.poll.cadence(for: .status) == .every(.seconds(60)))
        #expect(climate.poll.cadence(for: .identity) == .once)
        let doors = try #require(site.device(named: "doors"))
        #expect(doors.poll.every == .seconds(5), "the built-in default poll")
        #expect(doors.zone == nil && doors.location == nil)
        guard case .tcp(let main)? = site.bus(named: "main") else {
            Issue.record("no TCP bus main")
            return
        }
        #expect(main.connections == 1 && main.pauseAfterConnect == .zero && main.pauseBetweenRequests == .zero)
        guard case .rtu(let line)? = site.bus(named: "line1") else {
            Issue.record("no RTU bus line1")
            return
        }
        #expect(line.stopBits == 1 && line.dataBits == 8 && !line.rs485 && line.interFrameDelay == .zero)
    }

    @Test("`defaults` applies to every device that leaves a field out; the store section sets retention and flush")
    func siteDefaults() throws {
        let text = fixture.replacingOccurrences(
            of: "tcp:\n",
            with: """
                store: {raw_days: 7, aggregate_days: 365, flush_interval: 500ms}
                defaults: {poll: {every: 2s, identity: 1h}, timeout: 300ms, retries: 0, stale_after_cycles: 5,
                  offline_after: 4, quarantine_max: 10s}
                tcp:

                """)
        let site = try parse(text)
        #expect(
            site.store
                == SiteConfiguration.StoreSettings(
                    rawRetentionDays: 7, aggregateRetentionDays: 365, flushInterval: .milliseconds(500)))
        let doors = try #require(site.device(named: "doors"))
        #expect(doors.poll.cadence(for: .io) == .every(.seconds(2)))
        #expect(doors.poll.cadence(for: .identity) == .every(.seconds(3600)))
        #expect(doors.timeout == .milliseconds(300) && doors.retries == 0 && doors.staleAfterCycles == 5)
        #expect(doors.offlineAfter == 4 && doors.maximumQuarantine == .seconds(10))
        let scale = try #require(site.device(named: "scale-1"))
        #expect(scale.poll == PollSchedule(every: .seconds(1)), "a device's own poll replaces the default's")
    }

    @Test("parity N is read as none, not as YAML's boolean no")
    func parityNone() throws {
        let site = try parse(fixture.replacingOccurrences(of: "parity: E", with: "parity: N, stop_bits: 2"))
        guard case .rtu(let line)? = site.bus(named: "line1") else {
            Issue.record("no RTU bus")
            return
        }
        #expect(line.parity == .none && line.stopBits == 2)
    }

    @Test("durations read with a unit and print back in the same notation")
    func durations() {
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("1s") == .seconds(1))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1m30s") == .seconds(90))
        #expect(DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(DurationText.parse("1d") == .seconds(86_400))
        #expect(DurationText.parse("0") == .zero)
        for bad in ["5", "1 sec", "s", "-1s", "1s2", "1x", ""] { #expect(DurationText.parse(bad) == nil, "\(bad)") }
        #expect(DurationText.describe(.milliseconds(500)) == "500ms")
        #expect(DurationText.describe(.seconds(90)) == "1m30s")
        #expect(DurationText.describe(.seconds(86_400)) == "1d")
        #expect(DurationText.describe(.zero) == "0s")
    }

    // MARK: - Mistakes, each with its exact message

    static let mistakes: [SiteMistake] = [
        SiteMistake(
            name: "a misspelt device field", old: "    bus: line1\n", new: "    bus: line1\n    adress: 7\n",
            expected:
                "Sites/bad.yaml:21: devices[1].adress: unknown field (expected one of: bus, commands, label, late_answer_guard, location, "
                + "name, offline_after, poll, profile, quarantine_max, retries, stale_after_cycles, timeout, unit, zone)"
        ),
        SiteMistake(
            name: "a quarantine cap out of range", old: "    bus: line1\n",
            new: "    bus: line1\n    quarantine_max: 2h\n",
            expected: "Sites/bad.yaml:21: devices[1].quarantine_max: 2h is out of range 100ms–1h"),
        SiteMistake(
            name: "a unit id used twice on one bus", old: "unit: 31", new: "unit: 1",
            expected: "Sites/bad.yaml:27: devices[2].unit: unit 1 is already used by scale-1 on main"),
        SiteMistake(
            name: "a bus that is not declared", old: "bus: line1", new: "bus: line2",
            expected: "Sites/bad.yaml:20: devices[1].bus: no bus named \"line2\" (declared: line1, main)"),
        SiteMistake(
            name: "a scale without a location",
            old: "    location: {name: bay-1, capacity: 5000, division: 1, class: III}\n", new: "",
            expected:
                "Sites/bad.yaml:10: devices[0].location: a scale needs a location: {name, capacity, division, class}"),
        SiteMistake(
            name: "a command the profile does not have", old: "commands: [tare]", new: "commands: [tare, tear]",
            expected: "Sites/bad.yaml:17: devices[0].commands[1]: the profile scales/laumas-tlu.yaml has no command "
                + "\"tear\" (it has: zero, tare, clear_tare)"),
        SiteMistake(
            name: "a command on a device whose profile has none", old: "    zone: bay\n  - name: doors",
            new: "    zone: bay\n    commands: beacon_on\n  - name: doors",
            expected: "Sites/bad.yaml:24: devices[1].commands: the profile sensors/xy-md02.yaml has no command "
                + "\"beacon_on\" (it has none)"),
        SiteMistake(
            name: "a duration that is not one", old: "poll: 1s", new: "poll: 1 sec",
            expected: "Sites/bad.yaml:14: devices[0].poll: expected a duration such as 500ms, 1s or 2m, found \"1 sec\""
        ),
        SiteMistake(
            name: "a duration without a unit", old: "poll: 1s", new: "poll: 5",
            expected: "Sites/bad.yaml:14: devices[0].poll: expected a duration such as 500ms, 1s or 2m, found \"5\""),
        SiteMistake(
            name: "a poll interval out of range", old: "poll: {every: 5s", new: "poll: {every: 10ms",
            expected: "Sites/bad.yaml:22: devices[1].poll.every: 10ms is out of range 100ms–1d"),
        SiteMistake(
            name: "a parity that is not N, E or O", old: "parity: E", new: "parity: X",
            expected: "Sites/bad.yaml:8: rtu[0].parity: unknown value \"X\" (use N, E, O)"),
        SiteMistake(
            name: "a sensor without a zone", old: "    poll: {every: 5s, status: 1m}\n    zone: bay\n",
            new: "    poll: {every: 5s, status: 1m}\n",
            expected: "Sites/bad.yaml:18: devices[1].zone: an environment sensor needs a zone (the area it measures)"),
        SiteMistake(
            name: "a location on a sensor", old: "    zone: bay\n  - name: doors",
            new: "    zone: bay\n    location: {name: x, capacity: 1, division: 1, class: I}\n  - name: doors",
            expected: "Sites/bad.yaml:24: devices[1].location: only a scale has a location; this device's profile is "
                + "kind environment (use zone)"),
        SiteMistake(
            name: "a division that is not 1, 2 or 5 × 10^k", old: "division: 1,", new: "division: 3,",
            expected: "Sites/bad.yaml:15: devices[0].location.division: a division is 1, 2 or 5 × a power of ten "
                + "(… 0.5, 1, 2, 5, 10 …), found 3"),
        SiteMistake(
            name: "too many divisions", old: "division: 1,", new: "division: 0.01,",
            expected: "Sites/bad.yaml:15: devices[0].location.division: 5000 / 0.01 is 500000 divisions; a scale has "
                + "at most 100000 (is the division in the weight unit?)"),
        SiteMistake(
            name: "a capacity that is not a whole number of divisions", old: "capacity: 5000, division: 1,",
            new: "capacity: 5001, division: 2,",
            expected: "Sites/bad.yaml:15: devices[0].location.capacity: 5001 is not a whole number of divisions of 2"),
        SiteMistake(
            name: "an accuracy class that does not exist", old: "class: III", new: "class: IV",
            expected: "Sites/bad.yaml:15: devices[0].location.class: unknown value \"IV\" (use I, II, III, IIII)"),
        SiteMistake(
            name: "a device name used twice", old: "name: doors", new: "name: climate-1",
            expected: "Sites/bad.yaml:24: devices[2].name: the device name \"climate-1\" is used twice"),
        SiteMistake(
            name: "unit 0 (broadcast) on an RTU line", old: "unit: 2", new: "unit: 0",
            expected: "Sites/bad.yaml:21: devices[1].unit: a unit id on an RTU line is 1–247 (0 is broadcast), found 0"),
        SiteMistake(
            name: "a serial speed the line cannot be set to", old: "baud: 9600", new: "baud: 9601",
            expected: "Sites/bad.yaml:8: rtu[0].baud: 9601 is not a standard serial speed (use 300, 600, 1200, 2400, "
                + "4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)"),
        SiteMistake(
            name: "7 data bits", old: "parity: E}", new: "parity: E, data_bits: 7}",
            expected: "Sites/bad.yaml:8: rtu[0].data_bits: Modbus RTU sends 8 data bits (7 is Modbus ASCII, which "
                + "Stockpile does not speak)"),
        SiteMistake(
            name: "two buses for one TCP endpoint", old: "rtu:\n",
            new: "  - {name: again, host: 127.0.0.1, port: 1502}\nrtu:\n",
            expected: "Sites/bad.yaml:7: tcp[1]: 127.0.0.1:1502 is already bus main: one endpoint is one bus"),
        SiteMistake(
            name: "a flush interval over 5 s", old: "data_directory: data\n",
            new: "data_directory: data\nstore: {flush_interval: 10s}\n",
            expected: "Sites/bad.yaml:5: store.flush_interval: 10s is out of range 10ms–5s"),
        SiteMistake(
            name: "aggregates kept shorter than raw readings", old: "data_directory: data\n",
            new: "data_directory: data\nstore:\n  raw_days: 60\n  aggregate_days: 30\n",
            expected: "Sites/bad.yaml:7: store.aggregate_days: aggregates (30 days) must be kept at least as long as "
                + "raw readings (60 days)"),
        SiteMistake(
            name: "a section the roadmap brings later", old: "data_directory: data\n",
            new: "data_directory: data\nledger:\n  file: ledger.csv\n",
            expected: "Sites/bad.yaml:5: ledger: not yet supported: the ledger arrives with reconciliation "
                + "(roadmap step 4); remove the section for now"),
        SiteMistake(
            name: "an HTTP server beyond loopback without TLS", old: "data_directory: data\n",
            new: "data_directory: data\nhttp:\n  address: 0.0.0.0\n",
            expected: "Sites/bad.yaml:6: http.address: 0.0.0.0 is reachable from other machines: give `tls` "
                + "(certificate and key) or, on purpose, `insecure_http: true`"),
        SiteMistake(
            name: "a token given in clear instead of its SHA-256", old: "data_directory: data\n",
            new: "data_directory: data\nhttp:\n  tokens:\n    - {name: a, role: operator, sha256: spk_abc}\n",
            expected: "Sites/bad.yaml:7: http.tokens[0].sha256: expected the token's SHA-256 as 64 hex digits "
                + "(`stockpile token new` prints the line), not the token"),
        SiteMistake(
            name: "a token role that does not exist", old: "data_directory: data\n",
            new:
                "data_directory: data\nhttp:\n  tokens:\n    - {name: a, role: root, sha256: \(String(repeating: "ab", count: 32))}\n",
            expected:
                "Sites/bad.yaml:7: http.tokens[0].role: unknown value \"root\" (use viewer, operator, auditor, admin)"),
        SiteMistake(
            name: "an HTTP port out of range", old: "data_directory: data\n",
            new: "data_directory: data\nhttp: {port: 70000}\n",
            expected: "Sites/bad.yaml:5: http.port: 70000 is out of range 0–65535"),
        SiteMistake(
            name: "TLS without its key", old: "data_directory: data\n",
            new: "data_directory: data\nhttp:\n  tls: {certificate: cert.pem}\n",
            expected: "Sites/bad.yaml:6: http.tls.key: required field is missing"),
        SiteMistake(
            name: "a missing data directory", old: "data_directory: data\n", new: "",
            expected: "Sites/bad.yaml:1: data_directory: required field is missing"),
        SiteMistake(
            name: "a name with a space", old: "name: scale-1", new: "name: scale 1",
            expected: "Sites/bad.yaml:10: devices[0].name: \"scale 1\" is not a usable name (up to 64 letters, digits, "
                + "'.', '_' or '-', starting with a letter or digit)"),
    ]

    @Test("an http section: address, port, TLS files and tokens by their SHA-256; loopback by default")
    func httpSection() throws {
        #expect(try parse(fixture).http == HTTPSettings())
        #expect(HTTPSettings().address == "127.0.0.1" && HTTPSettings().port == 8080)
        let digest = String(repeating: "0f", count: 32)
        let site = try parse(
            fixture.replacingOccurrences(
                of: "data_directory: data\n",
                with: """
                    data_directory: data
                    http:
                      address: 0.0.0.0
                      port: 8443
                      tls: {certificate: /etc/stockpile/cert.pem, key: /etc/stockpile/key.pem}
                      tokens:
                        - {name: night-shift, role: operator, sha256: \(digest.uppercased())}

                    """))
        #expect(site.http.address == "0.0.0.0")
        #expect(site.http.port == 8443)
        #expect(
            site.http.tls
                == HTTPSettings.TLSFiles(certificate: "/etc/stockpile/cert.pem", key: "/etc/stockpile/key.pem"))
        #expect(
            site.http.tokens == [
                AccessTokenEntry(name: "night-shift", role: .operator, digest: Array(repeating: 0x0f, count: 32))
            ])
        #expect(!site.http.bindsLoopbackOnly)
        #expect(
            HTTPSettings.isLoopback("127.1.2.3") && HTTPSettings.isLoopback("::1")
                && !HTTPSettings.isLoopback("127.0.0"))
    }

    @Test("each mistake gives its exact FILE:LINE: field: message", arguments: mistakes)
    func mistake(_ mistake: SiteMistake) throws {
        let error = try #require(loadError(replacing: mistake.old, with: mistake.new))
        #expect(error.description == mistake.expected)
    }

    @Test("a profile that is not found names every place looked in")
    func profileNotFound() throws {
        let error = try #require(loadError(replacing: "sensors/xy-md02.yaml", with: "sensors/nope.yaml"))
        #expect(
            error.description
                == "Sites/bad.yaml:19: devices[1].profile: profile \"sensors/nope.yaml\" not found (looked in: "
                + "Sites/sensors/nope.yaml, \(devicesDirectory)/sensors/nope.yaml)")
    }

    @Test("a profile is found relative to the site file first, and its own mistakes keep the profile's file and line")
    func profileErrorPropagates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stockpile-site-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("scales"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let shipped = try String(contentsOfFile: "\(devicesDirectory)/scales/laumas-tlu.yaml", encoding: .utf8)
        let profile = directory.appendingPathComponent("scales/laumas-tlu.yaml")
        try shipped.replacingOccurrences(of: "kind: scale", with: "kind: scales").write(
            to: profile, atomically: true, encoding: .utf8)
        let site = directory.appendingPathComponent("site.yaml")
        try fixture.write(to: site, atomically: true, encoding: .utf8)
        do {
            _ = try SiteLoader.load(file: site.path, profileDirectories: [devicesDirectory])
            Issue.record("the broken profile beside the site file must be loaded, and refused")
        } catch {
            #expect(error.file == profile.path)
            #expect(error.line == 7)
            #expect(error.field == "kind")
            #expect(error.message == "unknown value \"scales\" (use scale, environment, radiation, io, other)")
        }
    }

    @Test("a file that cannot be read says so, naming it")
    func unreadable() {
        #expect(throws: ConfigurationError.self) {
            _ = try SiteLoader.load(file: "/nonexistent/site.yaml", profileDirectories: [])
        }
    }
}
