import Foundation
import Glibc
import StockpileStore
import StockpileTestSupport
import Testing

/// Errors name their cause and their place (issue 9 §2), run through the real binary.
/// A TCP listener on 127.0.0.1 holding a port, as another program would.
final class HeldPort {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw StockpileRunner.LaunchFailure(description: "cannot hold a port") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

@Suite("Errors name the cause and the place")
struct ErrorPlaceTests {
    @Test("agent --http on a port in use names the option and the address, and starts nothing")
    func httpPortInUse() async throws {
        let held = try HeldPort()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("port-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let outcome = try await StockpileRunner.run(
            [
                "agent", "--site", "Simulators/demo-warehouse/site.yaml", "--data-dir", data.path,
                "--http", "127.0.0.1:\(held.port)",
            ],
            timeLimit: .seconds(30))
        #expect(outcome.status == 1 && !outcome.timedOut)
        #expect(
            outcome.standardError
                == "stockpile: --http 127.0.0.1:\(held.port): cannot listen: the port is already in use\n")
        #expect(outcome.standardOutput.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: data.path), "the store was created")
    }

    @Test("simulate --control on a port in use names the option and the address, and serves nothing")
    func controlPortInUse() async throws {
        let held = try HeldPort()
        let outcome = try await StockpileRunner.run(
            ["simulate", "--scenario", "Simulators/faults.yaml", "--control", "127.0.0.1:\(held.port)"],
            timeLimit: .seconds(30))
        #expect(outcome.status == 1 && !outcome.timedOut)
        #expect(
            outcome.standardError
                == "stockpile: --control 127.0.0.1:\(held.port): cannot listen: the port is already in use\n")
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test("readings --device nope and --point nope are errors listing the known names")
    func unknownNames() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("stockpile.sqlite").path
        _ = try AppDatabase.open(path: store)
        let site = ["--site", "Simulators/demo-warehouse/site.yaml", "--store", store]
        let device = try await StockpileRunner.run(["readings"] + site + ["--device", "nope"])
        #expect(device.status == 1)
        #expect(device.standardError.hasPrefix("stockpile: --device nope: no such device (known: "))
        #expect(device.standardError.contains("bay-a1-scale"))
        let point = try await StockpileRunner.run(
            ["readings"] + site + ["--device", "bay-a1-scale", "--point", "nope"])
        #expect(point.status == 1)
        #expect(point.standardError.hasPrefix("stockpile: --point nope: bay-a1-scale has no such point (known: "))
        #expect(point.standardError.contains("gross"))
        let empty = try await StockpileRunner.run(["readings", "--store", store, "--device", "nope"])
        #expect(empty.standardError == "stockpile: --device nope: no such device (the store holds no readings yet)\n")
    }

    @Test("a directory, a YAML file and an empty file given as the store say what they are")
    func storeThatIsNot() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.sqlite").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let cases: [(String, String)] = [
            (directory.path, "\(directory.path) is a directory, not a store file"),
            (
                "Simulators/demo-warehouse/site.yaml",
                "Simulators/demo-warehouse/site.yaml is not a Stockpile store (not an SQLite database)"
            ),
            (empty, "\(empty) is an empty file, not a Stockpile store"),
        ]
        for (path, message) in cases {
            let outcome = try await StockpileRunner.run(["status", "--store", path])
            #expect(outcome.status == 1)
            #expect(outcome.standardError == "stockpile: \(message)\n")
        }
        // The agent's own store path taken by a directory: said in words, not SQLite error 14.
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(
            at: data.appendingPathComponent("stockpile.sqlite"), withIntermediateDirectories: true)
        let agent = try await StockpileRunner.run(
            ["agent", "--site", "Simulators/demo-warehouse/site.yaml", "--data-dir", data.path, "--http", "127.0.0.1:0"], timeLimit: .seconds(30)
        )
        #expect(agent.status == 1 && !agent.timedOut)
        #expect(
            agent.standardError.hasSuffix("stockpile.sqlite is a directory, not a store file\n"),
            "\(agent.standardError)")
    }

    @Test("127.0.0.1:15020:1 is a usage error, not an IPv6 host; a negative unit gets the range")
    func endpointsAndNegatives() async throws {
        let endpoint = try await StockpileRunner.run(["probe", "--tcp", "127.0.0.1:15020:1", "--read", "holding:0:1"])
        #expect(endpoint.status == 2)
        #expect(endpoint.standardError.contains("--tcp 127.0.0.1:15020:1: expected HOST, HOST:PORT or [IPv6]:PORT"))
        let unit = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:9", "--read", "holding:0:1", "--unit", "-1",
        ])
        #expect(unit.status == 2)
        #expect(unit.standardError.contains("-1 is out of range 0–255"))
        #expect(unit.standardError.contains("--unit"))
        let ipv6 = try await StockpileRunner.run([
            "probe", "--tcp", "::1", "--read", "holding:0:1", "--timeout", "50ms", "--unit", "1",
        ])
        #expect(ipv6.status == 1, "a bare IPv6 literal is still an address: \(ipv6.standardError)")
        #expect(ipv6.standardError.contains("[::1]:502"))
        let unresolved = try await StockpileRunner.run(["probe", "--tcp", "nosuch.invalid", "--read", "holding:0:1"])
        #expect(unresolved.status == 1)
        #expect(unresolved.standardError.hasPrefix("stockpile: --tcp nosuch.invalid: cannot resolve nosuch.invalid: "))
    }
}
