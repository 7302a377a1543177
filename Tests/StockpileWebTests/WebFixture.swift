import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import StockpileAlerts
import StockpileDomain
import StockpileLedger
import StockpileStore
import StockpileTestSupport
import StockpileWeb
import Synchronization
import Testing

/// A log handler that keeps every message and its metadata, to prove what is never logged.
final class LogRecorder: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "stockpile.web.test") { _ in RecordingHandler(recorder: self) }
    }

    struct RecordingHandler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            recorder.lines.withLock { $0.append("\(event.message) \(all)") }
        }
    }
}

/// The demo warehouse's site with the demo ledger imported and a few readings, health events and alerts in a
/// real SQLite file, served by the real server on an ephemeral port.
struct WebFixture: Sendable {
    let port: Int
    let host: String
    let database: AppDatabase
    let site: SiteConfiguration
    /// A token of each role.
    let tokens: [AccessRole: String]
    let log: LogRecorder
    let now: Date
    /// A client that does not follow redirects, so a form's 303 and its cookies are seen as they are.
    let client: HTTPClient

    /// `now` as the API writes it.
    var nowText: String { UTCTimestamp.text(now) }

    var base: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Seconds before `now` of the readings written.
    static let readingAge: TimeInterval = 20

    static func with<T: Sendable>(
        address: String = "127.0.0.1", connectHost: String? = nil, answersAlertRequests: Bool = false,
        busesReady: Bool = false,
        _ body: @Sendable (WebFixture) async throws -> T
    ) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-web-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var site = try SiteLoader.load(
            file: repository.appendingPathComponent("Simulators/demo-warehouse/site.yaml").path,
            profileDirectories: [ShippedProfiles.directory])
        var tokens: [AccessRole: String] = [:]
        var settings = HTTPSettings()
        settings.address = address
        settings.port = 0
        settings.insecureHTTP = !HTTPSettings.isLoopback(address)
        for role in AccessRole.allCases {
            let token = TokenAuthority.newToken()
            tokens[role] = token
            settings.tokens.append(
                AccessTokenEntry(
                    name: "\(role.rawValue)-holder", role: role, digest: Array(SHA256.hash(data: Data(token.utf8)))))
        }
        site.http = settings
        let database = try AppDatabase.open(path: folder.appendingPathComponent("store.sqlite").path)
        let now = Date()
        try await seed(database, site: site, now: now)
        let log = LogRecorder()
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                metricName: "stockpile_fixture_requests", unitName: "total", helpText: "requests the fixture counted")
        ).increment()
        let backend = WebBackend(
            site: site, database: database, registry: registry,
            busesPolled: { ["main": true, "line1": busesReady] },
            answersAlertRequests: answersAlertRequests, clock: { now }, logger: log.logger)
        let router = try WebServer.router(backend: backend, settings: settings, sessions: MemoryPersistDriver())
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname(address, port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            }, logger: log.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            let client = HTTPClient(configuration: configuration)
            let fixture = WebFixture(
                port: port, host: connectHost ?? address, database: database, site: site, tokens: tokens, log: log,
                now: now, client: client)
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(fixture))
            } catch {
                outcome = .failure(error)
            }
            try await client.shutdown()
            let result = try outcome.get()
            group.cancelAll()
            while try await group.next() != nil {}
            return result
        }
    }

    /// The demo ledger, gross readings of every scale (the reconciliation subtracts the lots' tares), zone climate, health and two alerts.
    static func seed(_ database: AppDatabase, site: SiteConfiguration, now: Date) async throws {
        let ledger = repository.appendingPathComponent("Simulators/demo-warehouse/ledger.csv").path
        _ = try await LedgerImport.run(
            text: try String(contentsOfFile: ledger, encoding: .utf8), file: ledger, locations: site.ledgerLocations,
            database: database)
        let writer = ReadingWriter(database: database, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let time = now.addingTimeInterval(-readingAge)
        let bayGross: [String: Double] = [
            "bay-a1-scale": 2400, "bay-a2-scale": 1850, "bay-a3-scale": 1000, "bay-b1-scale": 725,
            "bay-b2-scale": 500, "bay-b3-scale": 320,
        ]
        for (device, gross) in bayGross {
            for offset in stride(from: 0.0, through: 60, by: 10) {
                let instant = time.addingTimeInterval(-offset)
                await writer.append(
                    Reading(device: device, point: "gross", time: instant, value: .number(gross), quality: .good))
            }
            await writer.record(
                DeviceHealthEvent(
                    device: device, time: time.addingTimeInterval(-120), from: nil, to: .online, reason: "answered"))
        }
        await writer.append(
            Reading(device: "zone-b-climate", point: "humidity", time: time, value: .number(58.5), quality: .good))
        await writer.append(
            Reading(device: "zone-b-climate", point: "temperature", time: time, value: .number(19.25), quality: .good))
        await writer.append(
            Reading(device: "zone-c-climate", point: "humidity", time: time, value: nil, quality: .offline))
        await writer.record(
            DeviceHealthEvent(device: "zone-c-climate", time: time, from: .online, to: .offline, reason: "no answer"))
        _ = try await writer.flush()
        var tracker = AlertTracker()
        let humidity = AlertCondition(
            rule: "bay_b_humidity", labels: ["alertname": "bay_b_humidity", "zone": "bay-b", "severity": "warning"],
            severity: .warning, status: .active, value: 66, summary: "bay-b humidity 66 %RH above 60")
        let offline = AlertCondition(
            rule: "device_offline", isNoData: true,
            labels: ["alertname": "device_offline", "device": "zone-c-climate"],
            severity: .critical, status: .active, summary: "zone-c-climate offline")
        let start = now.addingTimeInterval(-600)
        var transitions = tracker.update(conditions: [humidity, offline], now: start)
        transitions += tracker.update(conditions: [humidity, offline], now: start.addingTimeInterval(60))
        try await database.saveAlerts(tracker.alerts, transitions: transitions)
    }

    // MARK: - Requests

    struct Answer: Sendable {
        let status: Int
        let headers: [(String, String)]
        let body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        func json() throws -> Any { try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }

        func object() throws -> [String: Any] { try #require(try json() as? [String: Any], "\(text)") }

        func array() throws -> [[String: Any]] { try #require(try json() as? [[String: Any]], "\(text)") }

        func header(_ name: String) -> [String] {
            headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
        }
    }

    func request(
        _ path: String, token: String? = nil, headers: [(String, String)] = []
    ) async throws -> Answer {
        try await request(.GET, path, token: token, headers: headers)
    }

    func request(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil, body: Data? = nil,
        headers: [(String, String)] = []
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return Answer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Data(collected.readableBytesView))
    }
}
