import Foundation
import Testing

/// Writes `scenario` to a file in a temporary directory, runs `stockpile simulate` on it (killed
/// after 15 s, should it start after all), and removes the directory.
private func simulate(_ scenario: (URL) -> String) async throws -> (file: String, directory: URL, outcome: PeerOutcome)
{
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("s.yaml")
    try scenario(directory).write(to: file, atomically: true, encoding: .utf8)
    let outcome = try await IndependentPeers.run(
        StockpileRunner.executable, ["simulate", "--scenario", file.path, "--control", "127.0.0.1:0"],
        limit: .seconds(15))
    return (file.path, directory, outcome)
}

/// The lines written to standard error.
private func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
}

@Suite("stockpile simulate refuses bad input in one line naming the file")
struct SimulateCommandErrorTests {
    @Test("an unknown profile: exit 1, file:line: devices[1].profile, and where it looked")
    func unknownProfile() async throws {
        let (file, _, outcome) = try await simulate { _ in
            """
            name: bad
            tcp:
              - {name: main, port: 0}
            devices:
              - {name: a, profile: scales/laumas-tlu.yaml, transport: main, unit: 1, model: scale}
              - {name: b, profile: scales/no-such-scale.yaml, transport: main, unit: 2, model: scale}
            """
        }
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.isEmpty)
        let errors = lines(outcome.standardError)
        #expect(errors.count == 1, "\(errors)")
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let expected =
            "stockpile: \(file):6: devices[1].profile: profile \"scales/no-such-scale.yaml\" not found (looked in: "
            + "\(directory)/scales/no-such-scale.yaml, Devices/scales/no-such-scale.yaml"
        #expect(errors.first?.hasPrefix(expected) == true, "\(errors)")
    }

    @Test("a unit id used twice on one RTU line: exit 1, file:line: devices[1].unit, naming the other device")
    func duplicateUnit() async throws {
        let (file, directory, outcome) = try await simulate { directory in
            """
            name: bad
            rtu:
              - {name: line1, link: \(directory.path)/rtu}
            devices:
              - {name: a, profile: scales/laumas-tlu.yaml, transport: line1, unit: 2, model: scale}
              - {name: b, profile: sensors/xy-md02.yaml, transport: line1, unit: 2, model: environment}
            """
        }
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.isEmpty)
        #expect(
            lines(outcome.standardError) == [
                "stockpile: \(file):6: devices[1].unit: unit 2 is already used by a on line1"
            ])
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: directory.path + "/rtu")) == nil)
    }

    @Test("a TCP port already in use: exit 1, one line naming the file, the transport and the port, no link left")
    func portInUse() async throws {
        let occupied = try OccupiedPort()
        let (file, directory, outcome) = try await simulate { directory in
            """
            name: bad
            tcp:
              - {name: main, port: \(occupied.port)}
            rtu:
              - {name: line1, link: \(directory.path)/rtu}
            devices:
              - {name: a, profile: scales/laumas-tlu.yaml, transport: [main, line1], unit: 1, model: scale}
            """
        }
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.isEmpty)
        let errors = lines(outcome.standardError)
        #expect(
            errors == [
                "stockpile: \(file):3: tcp main: cannot listen on 127.0.0.1:\(occupied.port): Address already in use"
            ])
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: directory.path + "/rtu")) == nil)
    }

    @Test("a YAML syntax error: exit 1, file:line: YAML syntax")
    func malformedYAML() async throws {
        let (file, _, outcome) = try await simulate { _ in
            """
            name: bad
            tcp:
              - {name: main, port: 0
            devices:
              - {name: a, profile: scales/laumas-tlu.yaml, transport: main, unit: 1, model: scale}
            """
        }
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.isEmpty)
        let errors = lines(outcome.standardError)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix("stockpile: \(file):4: YAML syntax: ") == true, "\(errors)")
    }
}

@Suite("stockpile simulate --rtu-link destroys nothing it did not make")
struct SimulateLinkRefusalTests {
    @Test("a regular file at --rtu-link: exit 1, one line naming the path and what is there, the file kept")
    func regularFileRefused() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockpile-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scenario = directory.appendingPathComponent("s.yaml")
        try """
        name: link
        rtu:
          - {name: line1}
        devices:
          - {name: a, profile: sensors/xy-md02.yaml, transport: line1, unit: 2, model: environment}
        """.write(to: scenario, atomically: true, encoding: .utf8)
        let victim = directory.appendingPathComponent("site.yaml")
        try "buses: []\n".write(to: victim, atomically: true, encoding: .utf8)
        let outcome = try await IndependentPeers.run(
            StockpileRunner.executable, ["simulate", "--scenario", scenario.path, "--rtu-link", victim.path],
            limit: .seconds(15))
        #expect(outcome.status == 1)
        let errors = lines(outcome.standardError)
        #expect(
            errors == [
                "stockpile: --rtu-link: will not make the link \(victim.path): a regular file is there; "
                    + "only a dangling symlink is replaced"
            ])
        #expect(try String(contentsOf: victim, encoding: .utf8) == "buses: []\n")
    }
}
