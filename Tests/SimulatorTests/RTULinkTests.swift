import Foundation
import Logging
import Simulator
import SimulatorCore
import Testing

/// The simulator's RTU link replaces only a dangling symlink and removes only the link it made.
@Suite("The simulator's RTU link destroys nothing it did not make")
struct RTULinkTests {
    /// A fresh directory for one test's paths, removed afterwards by the caller.
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockpile-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func service(link: String? = nil, override: String? = nil) throws -> SimulatorService {
        let line = link.map { "{name: line1, link: \($0)}" } ?? "{name: line1}"
        let scenario = try SimulatorFixtures.load(
            """
            name: links
            rtu:
              - \(line)
            devices:
              - {name: climate, profile: sensors/xy-md02.yaml, transport: line1, unit: 2, model: environment}
            """)
        return try SimulatorService(
            engine: SimulationEngine(scenario: scenario), rtuLinkOverride: override, logger: Logger(label: "test"))
    }

    /// What `start()` refused with, or nil when it started (and was stopped again).
    static func refusal(_ service: SimulatorService) -> String? {
        do {
            _ = try service.start()
            service.stop()
            return nil
        } catch {
            return error.description
        }
    }

    static func destination(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    @Test("with nothing at the path the link is made to the pty and removed on stop")
    func freshPath() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("rtu").path
        let service = try Self.service(link: link)
        let endpoints = try service.start()
        #expect(Self.destination(link) == endpoints.first?.address)
        #expect(endpoints.first?.link == link)
        service.stop()
        #expect(RTULinkProbe.nothing(at: link))
    }

    @Test("a dangling symlink, as a killed simulator leaves, is replaced and removed on stop")
    func danglingSymlink() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("rtu").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/pts/no-such-pty")
        let service = try Self.service(override: link)
        let endpoints = try service.start()
        #expect(Self.destination(link) == endpoints.first?.address)
        service.stop()
        #expect(RTULinkProbe.nothing(at: link))
    }

    @Test("a regular file at the path is refused in one line naming it, and kept as it was")
    func regularFile() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("notes.txt").path
        try "keep me\n".write(toFile: path, atomically: true, encoding: .utf8)
        let refusal = try #require(Self.refusal(try Self.service(override: path)))
        #expect(
            refusal == "--rtu-link: will not make the link \(path): a regular file is there; "
                + "only a dangling symlink is replaced")
        #expect(!refusal.contains("\n"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me\n")
    }

    @Test("a directory with files in it is refused, naming the scenario line, and kept")
    func directoryInTheWay() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "1\n".write(toFile: path + "/reading", atomically: true, encoding: .utf8)
        let refusal = try #require(Self.refusal(try Self.service(link: path)))
        let expected =
            "test.yaml:3: rtu line1: will not make the link \(path): a directory is there; "
            + "only a dangling symlink is replaced"
        #expect(refusal.hasSuffix(expected), "\(refusal)")
        #expect(FileManager.default.fileExists(atPath: path + "/reading"))
    }

    @Test("another running simulator's link is refused and left pointing at that simulator's pty")
    func liveSymlink() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("rtu").path
        let first = try Self.service(link: link)
        let firstEndpoints = try first.start()
        defer { first.stop() }
        let pty = try #require(firstEndpoints.first?.address)
        let refusal = try #require(Self.refusal(try Self.service(override: link)))
        #expect(
            refusal == "--rtu-link: will not make the link \(link): a live symlink to \(pty) "
                + "(another simulator's line?) is there; only a dangling symlink is replaced")
        #expect(Self.destination(link) == pty)
    }

    @Test("on exit a link that someone re-pointed meanwhile is left alone")
    func repointedLink() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("rtu").path
        let service = try Self.service(link: link)
        _ = try service.start()
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/null")
        service.stop()
        #expect(Self.destination(link) == "/dev/null")
    }
}

enum RTULinkProbe {
    /// True when nothing at all, not even a dangling symlink, is at `path`.
    static func nothing(at path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)) == nil
            && (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil
    }
}
