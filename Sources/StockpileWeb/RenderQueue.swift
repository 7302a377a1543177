import Dispatch

/// A thread of its own for the long CPU-bound steps of an answer (a page through Mustache, a large JSON
/// encoding): tens of milliseconds that would otherwise hold one of the cooperative pool's few threads (two on a
/// two-core machine), which every other request and the agent's own tasks need.
enum RenderQueue {
    private static let queue = DispatchQueue(label: "stockpile.web.render", qos: .utility)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
