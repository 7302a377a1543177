import AsyncHTTPClient
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real Prometheus (Debian's `prometheus`) on a loopback port, scraping one target every second,
/// with its own config and its TSDB in a temporary directory; stopped by `stop()` or when released.
///
/// It is asked through its own HTTP API (`/api/v1/targets`, `/api/v1/query`), with the process-wide
/// `HTTPClient.shared`, so a test needs nothing but this type.
public final class PrometheusProcess {
    /// Why a test could not use it; a missing binary says how to install it (a test never skips).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// One sample of an instant query: the series' labels (`__name__` included) and its value.
    public struct Sample: Sendable, CustomStringConvertible {
        public var labels: [String: String]
        public var value: Double

        public var description: String {
            "\(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) \(value)"
        }
    }

    /// One scrape target as Prometheus sees it.
    public struct Target: Sendable {
        public var scrapeURL: String
        /// "up", "down" or "unknown" (not scraped yet).
        public var health: String
        public var lastError: String
    }

    public static let binary = "/usr/bin/prometheus"

    let process: Process
    public let port: Int
    let directory: URL

    /// Starts Prometheus scraping `target` (`HOST:PORT`) at `metricsPath` every second, as job `job`.
    public init(scraping target: String, metricsPath: String = "/metrics", job: String = "stockpile") throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw Failure(
                description:
                    "\(Self.binary) is missing: install it with `apt-get install -y prometheus` (`make deps` does)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-prometheus-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        try """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: \(job)
            metrics_path: \(metricsPath)
            static_configs:
              - targets: ["\(target)"]

        """.write(to: config, atomically: true, encoding: .utf8)
        port = try LoopbackPort.free()
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        process.standardOutput = FileHandle.nullDevice
        let log = directory.appendingPathComponent("prometheus.log")
        try Data().write(to: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Its log so far, for a failure's message.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
    }

    /// Waits (at most about 30 s) until `/-/ready` answers 200.
    public func waitUntilReady() async throws {
        for _ in 0..<300 {
            guard process.isRunning else { throw Failure(description: "prometheus exited: \(log)") }
            let request = HTTPClientRequest(url: "\(baseURL)/-/ready")
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "prometheus never became ready: \(log)")
    }

    /// `GET /api/v1/targets`: the active targets.
    public func targets() async throws -> [Target] {
        let data = try await apiData("/api/v1/targets")
        let active = (data as? [String: Any])?["activeTargets"] as? [[String: Any]] ?? []
        return active.map { target in
            Target(
                scrapeURL: target["scrapeUrl"] as? String ?? "", health: target["health"] as? String ?? "",
                lastError: target["lastError"] as? String ?? "")
        }
    }

    /// Waits (at most about `seconds`) until every target is up; returns them as last seen.
    public func waitUntilTargetsUp(within seconds: Int = 30) async throws -> [Target] {
        var targets = try await targets()
        for _ in 0..<(seconds * 10) where targets.isEmpty || !targets.allSatisfy({ $0.health == "up" }) {
            guard process.isRunning else { throw Failure(description: "prometheus exited: \(log)") }
            try await Task.sleep(for: .milliseconds(100))
            targets = try await self.targets()
        }
        return targets
    }

    /// `GET /api/v1/query?query=…` now: the instant vector's samples (a query of another type fails).
    public func query(_ promQL: String) async throws -> [Sample] {
        var components = URLComponents(string: "\(baseURL)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promQL)]
        // URLComponents leaves `+` alone, which a server reads as a space.
        let path = components.percentEncodedQuery.map {
            "/api/v1/query?" + $0.replacingOccurrences(of: "+", with: "%2B")
        }
        let data = try await apiData(path ?? "/api/v1/query")
        guard let result = data as? [String: Any], result["resultType"] as? String == "vector",
            let vector = result["result"] as? [[String: Any]]
        else { throw Failure(description: "\(promQL): not an instant vector: \(String(describing: data))") }
        return try vector.map { sample in
            guard let labels = sample["metric"] as? [String: String], let pair = sample["value"] as? [Any],
                pair.count == 2, let text = pair[1] as? String, let value = Double(text)
            else { throw Failure(description: "\(promQL): a sample without labels and value: \(sample)") }
            return Sample(labels: labels, value: value)
        }
    }

    /// Polls `query` (at most about `seconds`) until `done` holds for its samples; returns them as last seen.
    public func query(
        _ promQL: String, within seconds: Int = 20, until done: ([Sample]) -> Bool
    ) async throws -> [Sample] {
        var samples = try await query(promQL)
        for _ in 0..<(seconds * 4) where !done(samples) {
            try await Task.sleep(for: .milliseconds(250))
            samples = try await query(promQL)
        }
        return samples
    }

    /// `GET /api/v1/metadata?metric=…`: the `# HELP` text Prometheus took from the target for a metric
    /// family (a histogram's family name, without `_bucket`), nil when it has none.
    public func help(for metric: String) async throws -> String? {
        let data = try await apiData("/api/v1/metadata?metric=\(metric)")
        let entries = (data as? [String: Any])?[metric] as? [[String: Any]]
        return entries?.first?["help"] as? String
    }

    /// The `data` of an API answer whose `status` is `success`.
    private func apiData(_ path: String) async throws -> Any {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "\(baseURL)\(path)"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 16 << 20)
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        guard let object, object["status"] as? String == "success", let data = object["data"] else {
            let text = String(decoding: body.readableBytesView, as: UTF8.self)
            throw Failure(description: "GET \(path) answered \(response.status): \(text)")
        }
        return data
    }

    /// SIGTERM, and wait until it has exited (SIGKILL after 10 s); its directory goes with it. Safe to
    /// call twice.
    public func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        stop()
    }
}
