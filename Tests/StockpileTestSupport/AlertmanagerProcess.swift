public import AsyncHTTPClient
import Foundation

/// A real Alertmanager (Debian's `prometheus-alertmanager`) on loopback ports, with its own config
/// (one null receiver), clustering off and its storage in a temporary directory; killed when released.
public final class AlertmanagerProcess {
    /// Why a test could not use it; a missing binary says how to install it (a test never skips).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static let binary = "/usr/bin/prometheus-alertmanager"

    let process: Process
    public let port: Int
    let directory: URL

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw Failure(
                description:
                    "\(Self.binary) is missing: install it with `apt-get install -y prometheus-alertmanager` "
                    + "(`make deps` does)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-alertmanager-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("alertmanager.yml")
        try "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n".write(
            to: config, atomically: true, encoding: .utf8)
        port = try LoopbackPort.free()
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ]
        process.standardOutput = FileHandle.nullDevice
        let log = directory.appendingPathComponent("alertmanager.log")
        try Data().write(to: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Its log so far, for a failure's message.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("alertmanager.log"), encoding: .utf8)) ?? ""
    }

    /// Waits (at most about 20 s) until `/-/ready` answers 200.
    public func waitUntilReady(_ client: HTTPClient) async throws {
        for _ in 0..<200 {
            guard process.isRunning else { throw Failure(description: "alertmanager exited: \(log)") }
            let request = HTTPClientRequest(url: "\(baseURL)/-/ready")
            if let response = try? await client.execute(request, timeout: .seconds(1)), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "alertmanager never became ready: \(log)")
    }

    /// `GET /api/v2/alerts`: the alerts it holds that are not resolved.
    public func alerts(_ client: HTTPClient) async throws -> [[String: Any]] {
        let response = try await client.execute(
            HTTPClientRequest(url: "\(baseURL)/api/v2/alerts"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok,
            let alerts = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]]
        else { throw Failure(description: "GET /api/v2/alerts answered \(response.status)") }
        return alerts
    }

    /// Polls `alerts` (at most about `seconds`) until `done` holds for them.
    public func alerts(
        _ client: HTTPClient, within seconds: Int = 10, until done: ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        var alerts = try await alerts(client)
        for _ in 0..<(seconds * 10) where !done(alerts) {
            try await Task.sleep(for: .milliseconds(100))
            alerts = try await self.alerts(client)
        }
        return alerts
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
