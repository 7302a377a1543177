import Foundation
import Hummingbird

/// Rendered answers (a page's HTML, the devices JSON) kept for a second and shared by every request that asks
/// for the same thing in that second: what they show comes from the store, which the agent writes once per
/// flush interval (1 s by default), so rendering it again for each request would show the same figures at the
/// cost of the agent's CPU. Rendering the overview through Mustache takes tens of milliseconds on a busy
/// two-core machine.
///
/// A stale entry is answered at once while one task renders its successor (stale while revalidate), so no
/// request waits on a render once the first one is done; an entry unused for a minute is dropped.
actor RenderedCache {
    private struct Entry {
        var at: Date
        var bytes: Data
        var lastAsked: Date
        var refreshing: Bool
    }

    private let lifetime: TimeInterval
    private let limit: Int
    private var entries: [String: Entry] = [:]
    private var firstRenders: [String: Task<Data, any Error>] = [:]

    init(lifetime: TimeInterval = 1, limit: Int = 64) {
        self.lifetime = lifetime
        self.limit = limit
    }

    /// The bytes for `key`: fresh ones from the cache, stale ones while `render` makes the next, or the first
    /// ones `render` makes. An error of the first render is thrown; of a refresh, it keeps the stale entry.
    func bytes(
        for key: String, now: Date, render: @escaping @Sendable () async throws -> Data
    ) async throws -> Data {
        if var entry = entries[key] {
            entry.lastAsked = now
            let age = now.timeIntervalSince(entry.at)
            if age >= lifetime || age < 0, !entry.refreshing {
                entry.refreshing = true
                Task { await self.refresh(key, render: render) }
            }
            entries[key] = entry
            return entry.bytes
        }
        // The first render of a key is shared too: requests that arrive while it runs wait for it, not for one each.
        if let running = firstRenders[key] { return try await running.value }
        let running = Task { try await render() }
        firstRenders[key] = running
        defer { firstRenders[key] = nil }
        let bytes = try await running.value
        store(key, bytes: bytes, at: now)
        return bytes
    }

    /// Forgets every entry: something changed through this server, and the next page must show it.
    func invalidate() {
        entries.removeAll()
    }

    private func refresh(_ key: String, render: @Sendable () async throws -> Data) async {
        do {
            store(key, bytes: try await render(), at: Date())
        } catch {
            entries[key]?.refreshing = false
        }
    }

    private func store(_ key: String, bytes: Data, at now: Date) {
        let asked = entries[key]?.lastAsked ?? now
        entries[key] = Entry(at: now, bytes: bytes, lastAsked: asked, refreshing: false)
        if entries.count > limit {
            for (old, entry) in entries where now.timeIntervalSince(entry.lastAsked) > 60 { entries[old] = nil }
        }
    }
}

/// After a request that may have changed something (anything but GET and HEAD), the rendered answers are
/// forgotten: an operator who acknowledges an alert sees it acknowledged on the page the form leads back to.
struct ChangeInvalidation: RouterMiddleware {
    typealias Context = WebRequestContext
    let cache: RenderedCache

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let response = try await next(request, context)
        if request.method != .get, request.method != .head { await cache.invalidate() }
        return response
    }
}
