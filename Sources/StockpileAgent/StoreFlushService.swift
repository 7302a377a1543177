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

    public func run() async throws {
        try await cancelWhenGracefulShutdown { [metrics] in
            try await writer.run(flushInterval: flushInterval) { written, took in
                metrics.recordBatch(readings: written, took: took)
            }
        }
    }
}
