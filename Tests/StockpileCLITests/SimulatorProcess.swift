import Foundation
import Glibc
import Synchronization
import Testing

/// `stockpile simulate` as a child process, for tests that talk to it with independent programs.
///
/// `run(scenario:_:)` writes the scenario into a temporary directory (`$DIR` in it names that
/// directory, for RTU links), starts the built binary with `--speed 1 --control 127.0.0.1:0`,
/// reads the transport lines it prints, hands the running simulator to the test, then stops it
/// with SIGTERM and expects exit status 0, its links removed; the directory goes in every case.
final class SimulatorProcess: Sendable {
    /// The directory holding the scenario and the RTU links; removed when the run ends.
    let directory: URL
    let scenarioPath: String
    /// The first TCP transport's port.
    let port: Int
    /// The first RTU line's pty device path and the link the scenario asked for.
    let pty: String?
    let link: String?
    /// The control channel's port.
    let controlPort: Int

    private let child: ChildProcess

    /// Everything the simulator printed on standard output so far (the transport lines, `--trace`).
    var standardOutput: String { child.standardOutput }

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    private init(
        directory: URL, scenarioPath: String, child: ChildProcess, port: Int, pty: String?, link: String?,
        controlPort: Int
    ) {
        self.directory = directory
        self.scenarioPath = scenarioPath
        self.child = child
        self.port = port
        self.pty = pty
        self.link = link
        self.controlPort = controlPort
    }

    /// Runs `body` against a simulator serving `scenario`, and stops it afterwards, whatever happens.
    static func run<R>(
        scenario: String, arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ body: (SimulatorProcess) async throws -> R
    ) async throws -> R {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stockpile-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulator = try await launch(scenario: scenario, in: directory, arguments: arguments)
        // The last resort, if the test is cancelled between here and the orderly stop below.
        defer { simulator.kill() }
        let result: R
        do {
            result = try await body(simulator)
        } catch {
            _ = await simulator.stop()
            throw error
        }
        let ending = await simulator.stop()
        #expect(
            ending.reason == .exit && ending.status == 0,
            "the simulator must exit 0 on SIGTERM; stderr: \(simulator.standardError)",
            sourceLocation: sourceLocation)
        if let link = simulator.link {
            #expect(
                (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil,
                "the simulator removes its RTU link on exit", sourceLocation: sourceLocation)
        }
        return result
    }

    private static func launch(
        scenario: String, in directory: URL, arguments: [String]
    ) async throws
        -> SimulatorProcess
    {
        let scenarioURL = directory.appendingPathComponent("scenario.yaml")
        try scenario.replacingOccurrences(of: "$DIR", with: directory.path)
            .write(to: scenarioURL, atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            ["simulate", "--scenario", scenarioURL.path, "--speed", "1", "--control", "127.0.0.1:0"] + arguments,
            name: "simulator")
        do {
            return try await child.waitFor { lines in
                // The transport lines come in one write with "simulating …", the control line on its own.
                guard lines.contains(where: { $0.hasPrefix("simulating ") }),
                    let control = lines.first(where: { $0.hasPrefix("control http://127.0.0.1:") }),
                    let controlPort = Int(control.split(separator: ":").last ?? "")
                else { return nil }
                let tcp = lines.first { $0.hasPrefix("tcp ") }?.split(separator: " ")
                let port = tcp.flatMap { $0.count >= 3 ? $0[2].split(separator: ":").last.flatMap { Int($0) } : nil }
                let rtu = lines.first { $0.hasPrefix("rtu ") }?.split(separator: " ").map(String.init)
                let pty = rtu.flatMap { $0.count >= 3 ? $0[2] : nil }
                let link = rtu.flatMap { $0.count >= 5 && $0[3] == "->" ? $0[4] : nil }
                return SimulatorProcess(
                    directory: directory, scenarioPath: scenarioURL.path, child: child, port: port ?? 0, pty: pty,
                    link: link, controlPort: controlPort)
            }
        } catch {
            _ = await child.terminate()
            throw LaunchError(description: "the simulator did not start: \(error)")
        }
    }

    /// True while the process runs.
    var isRunning: Bool { child.isRunning }

    /// What it printed on standard error so far.
    var standardError: String { child.standardError }

    /// Sends SIGTERM and waits up to 10 s for the exit; a process still running then gets SIGKILL.
    func stop() async -> (reason: Process.TerminationReason, status: Int32) {
        await child.terminate()
    }

    /// SIGKILL to this child only, if it still runs.
    func kill() {
        child.kill()
    }

    // MARK: - Control channel

    /// One device as GET /devices/NAME shows it: its numeric values and the faults in force.
    struct Device: Decodable, Sendable {
        var values: [String: Double]
        var faults: [String]

        private enum Keys: String, CodingKey { case values, faults }

        /// A value that is a number, or anything else (a flag, null), which is left out. Decoded
        /// rather than read through JSONSerialization, whose NSNumber cannot tell 0 from false on Linux.
        private struct Number: Decodable {
            var value: Double?
            init(from decoder: any Decoder) throws {
                value = try? decoder.singleValueContainer().decode(Double.self)
            }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            values = try container.decode([String: Number].self, forKey: .values).compactMapValues(\.value)
            faults = try container.decode([String].self, forKey: .faults)
        }
    }

    /// GET /devices/NAME.
    func device(_ name: String) async throws -> Device {
        let (status, body) = try await http("GET", "/devices/\(name)")
        guard status == 200 else {
            throw LaunchError(description: "GET /devices/\(name): \(status) \(String(decoding: body, as: UTF8.self))")
        }
        return try JSONDecoder().decode(Device.self, from: body)
    }

    /// POST /devices/NAME/faults with `json`; returns the faults in force after it.
    @discardableResult
    func addFault(_ device: String, _ json: String) async throws -> [String] {
        let (status, body) = try await http("POST", "/devices/\(device)/faults", body: json)
        guard status == 200, let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw LaunchError(description: "POST \(json): \(status) \(String(decoding: body, as: UTF8.self))")
        }
        return object["faults"] as? [String] ?? []
    }

    /// GET /devices/NAME/counters: requests by function code and exceptions sent.
    func counters(_ device: String) async throws -> (requests: [String: Int], exceptions: Int) {
        let (status, body) = try await http("GET", "/devices/\(device)/counters")
        guard status == 200, let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw LaunchError(description: "GET counters: \(status)")
        }
        return (object["requests_by_function"] as? [String: Int] ?? [:], object["exceptions"] as? Int ?? -1)
    }

    /// One HTTP/1.1 exchange with the control channel.
    func http(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: Data) {
        try await LoopbackHTTP.exchange(port: controlPort, method, path, body: body)
    }
}
