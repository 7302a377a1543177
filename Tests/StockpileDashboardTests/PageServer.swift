import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing

/// A tiny HTTP server on 127.0.0.1 (an ephemeral port) serving rendered pages, for the browser to load.
/// Each path's page is made per request from how many times the path was asked for before (0 first),
/// so a test can change what the refresh script fetches; a page that is nil answers 503.
struct PageServer: Sendable {
    typealias Page = @Sendable (_ previousRequests: Int) -> String?

    let port: Int
    private let counts: RequestCounts

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// How often `path` was asked for.
    func requests(_ path: String) -> Int {
        counts.count(path)
    }

    /// Runs `body` while the server serves `pages`; the server stops when it returns or throws.
    static func run<T: Sendable>(
        _ pages: [String: Page], _ body: @Sendable (PageServer) async throws -> T
    ) async throws -> T {
        let counts = RequestCounts()
        let router = Router()
        for (path, page) in pages {
            router.get(RouterPath(path)) { _, _ -> Response in
                guard let html = page(counts.next(path)) else { return Response(status: .serviceUnavailable) }
                return Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
            }
        }
        var logger = Logger(label: "stockpile.dashboard.tests")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            // Whatever the body does, the server is cancelled and awaited before this returns.
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let result = try await body(PageServer(port: port, counts: counts))
            group.cancelAll()
            while try await group.next() != nil {}
            return result
        }
    }
}

/// Requests per path, counted as they arrive.
private final class RequestCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// The number of earlier requests for `path`, counting this one.
    func next(_ path: String) -> Int {
        counts.withLock { counts in
            let previous = counts[path, default: 0]
            counts[path] = previous + 1
            return previous
        }
    }

    func count(_ path: String) -> Int {
        counts.withLock { $0[path, default: 0] }
    }
}
