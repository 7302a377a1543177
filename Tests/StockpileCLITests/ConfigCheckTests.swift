import Foundation
import Testing
import StockpileTestSupport

/// A directory for one test's files, removed afterwards.
private func withDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "stockpile-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

private func lines(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init)
}

/// A one-scale site on TCP; `devices` replaces its device list.
private func site(devices: String) -> String {
    """
    site: {id: t, name: Test}
    data_directory: data
    tcp:
      - {name: main, host: 127.0.0.1, port: 1502}
    devices:
    \(devices)
    """
}

@Suite("stockpile config check")
struct ConfigCheckTests {
    @Test("the demo site: exit 0 and a summary of buses, devices per bus, locations, zones and writes")
    func demo() async throws {
        let outcome = try await StockpileRunner.run(["config", "check", "Simulators/demo-warehouse/site.yaml"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.isEmpty)
        let output = lines(outcome.standardOutput)
        #expect(output.first == "site demo-warehouse: Demo warehouse (simulated rare-earth oxide reserve)")
        #expect(output.contains("data demo-data (raw readings 30 d, aggregates 730 d, flush every 1s)"))
        #expect(output.contains("2 buses, 11 devices"))
        #expect(
            output.contains(
                "  main (tcp 127.0.0.1:1502): 8 devices: bay-a1-scale@1, bay-a2-scale@2, bay-a3-scale@3, bay-b1-scale@4, "
                    + "bay-b2-scale@5, bay-b3-scale@6, zone-b-climate@21, doors-io@31"))
        #expect(
            output.contains(
                "  line1 (rtu /tmp/stockpile-demo-rtu 9600 8E1): 3 devices: zone-a-climate@11, zone-c-climate@12, zone-a-dose@13"
            ))
        #expect(output.contains("locations: 6"))
        #expect(output.contains("  bay-a1: bay-a1-scale, 5000 kg × 1 kg, class III"))
        #expect(output.contains("  bay-b3: bay-b3-scale, 5000 kg × 1 kg, class III"))
        #expect(output.contains("zones: 3"))
        #expect(output.contains("  dock: zone-c-climate"))
        #expect(output.contains("writes: doors-io (coil beacon at 0, the alerts' beacon)"))
        #expect(output.contains("http: 127.0.0.1:8080 (this machine only, plain HTTP), 0 tokens"))
        #expect(output.last == "test vectors: 53 in 8 profiles, each decoded as its profile says")
    }

    @Test("a profile whose test vector does not decode as it says fails the check, at the vector's line")
    func failingVector() async throws {
        try await withDirectory { directory in
            let shipped = try String(
                contentsOf: repository.appendingPathComponent("Devices/sensors/xy-md02.yaml"), encoding: .utf8)
            // The first vector reads 0x0131 as 30.5 °C; the copy claims 31.5.
            let broken = shipped.replacingOccurrences(
                of: "temperature: {value: 30.5", with: "temperature: {value: 31.5")
            #expect(broken != shipped, "the vector was changed")
            try broken.write(to: directory.appendingPathComponent("md02.yaml"), atomically: true, encoding: .utf8)
            let file = directory.appendingPathComponent("site.yaml")
            try """
            site: {id: t, name: Test}
            data_directory: data
            rtu:
              - {name: line, device: /dev/ttyUSB0}
            devices:
              - {name: climate, profile: md02.yaml, bus: line, unit: 1, zone: hall}
            """.write(to: file, atomically: true, encoding: .utf8)
            let outcome = try await StockpileRunner.run(["config", "check", file.path])
            #expect(outcome.status == 1)
            let line = try #require(lines(outcome.standardError).first)
            #expect(line.contains("md02.yaml:"), "\(line)")
            #expect(line.contains("point temperature"), "\(line)")
            #expect(outcome.standardError.contains("1 test vector expectation(s) failed"), "\(outcome.standardError)")
        }
    }

    @Test("a mistake: exit 1 and one line, stockpile: FILE:LINE: field: message")
    func mistake() async throws {
        try await withDirectory { directory in
            let file = directory.appendingPathComponent("site.yaml")
            try site(
                devices: """
                      - {name: a, profile: sensors/xy-md02.yaml, bus: main, unit: 3, zone: z}
                      - {name: b, profile: sensors/xy-md02.yaml, bus: main, unit: 3, zone: z}
                    """
            ).write(to: file, atomically: true, encoding: .utf8)
            let outcome = try await StockpileRunner.run(["config", "check", file.path])
            #expect(outcome.status == 1)
            #expect(outcome.standardOutput.isEmpty)
            #expect(
                lines(outcome.standardError) == [
                    "stockpile: \(file.path):7: devices[1].unit: unit 3 is already used by a on main"
                ])
        }
    }

    @Test("a site file that does not exist: exit 1 and one line naming it")
    func missingFile() async throws {
        let outcome = try await StockpileRunner.run(["config", "check", "no-such-site.yaml"])
        #expect(outcome.status == 1)
        let errors = lines(outcome.standardError)
        #expect(errors.count == 1)
        #expect(errors.first == "stockpile: no-such-site.yaml: no such file", "\(errors)")
    }

    @Test("--devices adds a profile directory, and an enabled command shows under writes")
    func devicesDirectoryAndWrites() async throws {
        try await withDirectory { directory in
            let profiles = directory.appendingPathComponent("profiles/vendor")
            try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: repository.appendingPathComponent("Devices/scales/flintec-ft11.yaml"),
                to: profiles.appendingPathComponent("ft11.yaml"))
            let file = directory.appendingPathComponent("sites/site.yaml")
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try site(
                devices: """
                      - name: s
                        profile: vendor/ft11.yaml
                        bus: main
                        unit: 1
                        location: {name: bay, capacity: 3000, division: 0.5, class: III}
                        commands: [tare, zero]
                    """
            ).write(to: file, atomically: true, encoding: .utf8)
            let without = try await StockpileRunner.run(["config", "check", file.path])
            #expect(without.status == 1)
            #expect(lines(without.standardError).count == 1)
            #expect(without.standardError.contains("devices[0].profile: profile \"vendor/ft11.yaml\" not found"))
            let with = try await StockpileRunner.run([
                "config", "check", file.path, "--devices", directory.appendingPathComponent("profiles").path,
            ])
            #expect(with.status == 0, "\(with.standardError)")
            let output = lines(with.standardOutput)
            #expect(output.contains("  bay: s, 3000 kg × 0.5 kg, class III"))
            #expect(output.contains("writes: s (tare, zero)"))
        }
    }
}
