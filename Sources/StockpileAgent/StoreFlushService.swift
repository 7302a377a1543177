public import ServiceLifecycle
public import StockpileStore

/// Flushes the reading writer every `flushInterval` (the most a crash can lose) and, on graceful
/// shutdown, writes what is left before returning. Each flush is timed and counted (`StoreMetrics`).
public struct StoreFlushService: Service {
    public let writer: ReadingWriter
    public let flushInterval: Duration
    private let metrics = StoreMetrics()

    public init(writer: ReadingWriter, flushInterval: Duration) {
        self.writer = writer
        self.flushInterval = flushInterval
    }

    /// `ReadingWriter.run(flushInterval:)`'s loop, with each flush measured: a failed periodic flush
    /// keeps its readings for the next one; the final flush runs after cancellation and throws if the
    /// store cannot take it.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: flushInterval)
                } catch {
                    break
                }
                _ = try? await measuredFlush()
            }
            try await measuredFlush()
        }
    }

    private func measuredFlush() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let written = try await writer.flush()
        metrics.recordBatch(readings: written, took: clock.now - start)
    }
}
