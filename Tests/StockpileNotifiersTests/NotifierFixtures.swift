import AsyncHTTPClient
import Foundation
import Glibc
import Hummingbird
import Logging
import Metrics
import MetricsTestKit
import NIOCore
import StockpileAlerts
import StockpileTestSupport
import Synchronization
import Testing

/// A logger that says nothing below errors, for senders and servers; every sender takes one, so
/// asking for it bootstraps the metrics backend before the sender makes its metrics.
var quietLogger: Logger {
    _ = testMetrics
    var logger = Logger(label: "stockpile.notifiers.tests")
    logger.logLevel = .critical
    return logger
}

/// One client for a test, shut down when `body` ends (as the agent does with its shared client).
func withHTTPClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A group of two alerts in zone bay-b: one firing (its value 66.5), one resolved, stamped around `now`.
func bayNotification(receiver: String, now: Date = Date()) -> AlertNotification {
    var tracker = AlertTracker()
    let humid = AlertCondition(
        rule: "humid", labels: ["alertname": "humid", "zone": "bay-b", "device": "zone-b-climate"],
        severity: .warning, status: .active, value: 66.5, summary: "humidity 66.5 %")
    let loss = AlertCondition(
        rule: "loss", labels: ["alertname": "loss", "zone": "bay-b", "device": "bay-b1-scale"], severity: .critical,
        status: .active, value: -25, summary: "25 kg gone")
    _ = tracker.update(conditions: [humid, loss], now: now.addingTimeInterval(-60))
    var cleared = loss
    cleared.status = .inactive
    cleared.value = nil
    _ = tracker.update(conditions: [humid, cleared], now: now)
    return AlertNotification(
        receiver: receiver, groupKey: "{}:{zone=\"bay-b\"}", groupLabels: ["zone": "bay-b"],
        alerts: tracker.alerts.sorted { $0.state.isFiring && !$1.state.isFiring }, reason: .change)
}

/// The number a counter of `stockpile_notifications_total` holds, 0 when it was never made.
func deliveries(_ receiver: String, _ outcome: String) -> Int64 {
    let counter = testMetrics.counters.first {
        $0.label == "stockpile_notifications_total"
            && Set($0.dimensions.map { "\($0.0)=\($0.1)" }) == ["receiver=\(receiver)", "outcome=\(outcome)"]
    }
    return counter?.totalValue ?? 0
}

/// The failures `stockpile_notification_failures_total` counted for `receiver`, of `kind` or of any kind.
func failures(_ receiver: String, _ kind: String? = nil) -> Int64 {
    testMetrics.counterTotal(
        label: "stockpile_notification_failures_total",
        dimensions: [("receiver", receiver)] + (kind.map { [("kind", $0)] } ?? []))
}

/// One request the test receiver took.
struct ReceivedRequest: Sendable {
    let path: String
    /// By lower-case name.
    let headers: [String: String]
    let body: Data
}

/// Every request a `RecordingReceiver` took, in order.
final class RecordedRequests: Sendable {
    private let log = Mutex<[ReceivedRequest]>([])

    var all: [ReceivedRequest] { log.withLock { $0 } }

    func record(_ request: Request) async throws {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let headers = Dictionary(
            request.headers.map { ($0.name.rawName.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        let received = ReceivedRequest(path: request.uri.path, headers: headers, body: Data(buffer.readableBytesView))
        log.withLock { $0.append(received) }
    }
}

/// A real HTTP server on 127.0.0.1 (an ephemeral port) that records every request: `POST /ok` answers
/// 200, `POST /fail` 500 with a two-line body, `POST /am/api/v2/alerts` 200.
struct RecordingReceiver: Sendable {
    let port: Int
    let recorded: RecordedRequests

    var requests: [ReceivedRequest] { recorded.all }

    /// Runs `body` while the server listens; the server stops when it returns.
    static func run<T: Sendable>(_ body: @Sendable (RecordingReceiver) async throws -> T) async throws -> T {
        let recorded = RecordedRequests()
        let router = Router()
        router.post("/ok") { request, _ -> Response in
            try await recorded.record(request)
            return Response(status: .ok)
        }
        router.post("/fail") { request, _ -> Response in
            try await recorded.record(request)
            return Response(
                status: .internalServerError, body: ResponseBody(byteBuffer: ByteBuffer(string: "disk full\nsorry")))
        }
        // An Alertmanager's route behind a path prefix, as a reverse proxy would put it.
        router.post("/am/api/v2/alerts") { request, _ -> Response in
            try await recorded.record(request)
            return Response(status: .ok)
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            }, logger: quietLogger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let result = try await body(RecordingReceiver(port: port, recorded: recorded))
            group.cancelAll()
            while try await group.next() != nil {}
            return result
        }
    }
}

/// A TCP socket on 127.0.0.1 bound to an ephemeral port: listening (connections complete in the kernel's
/// backlog and are never answered) or only bound (connections are refused). Closed when released.
final class LoopbackSocket {
    let descriptor: Int32
    let port: Int

    init(listening: Bool) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0, "socket: errno \(errno)")
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        try #require(bound, "bind: errno \(errno)")
        if listening { try #require(listen(descriptor, 16) == 0, "listen: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        _ = Glibc.close(descriptor)
    }
}

/// A port on 127.0.0.1 that was free a moment ago (for a server the test starts as another process).
func freePort() throws -> Int {
    try LoopbackSocket(listening: false).port
}
