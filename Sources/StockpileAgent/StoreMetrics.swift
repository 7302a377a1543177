import Metrics
import StockpileDomain

/// The store writer's metrics, taken around each flush by `StoreFlushService` (the store target
/// does not depend on swift-metrics).
///
/// - `stockpile_readings_written_total`: readings committed by the periodic and the final flushes
/// - `stockpile_store_batch_seconds`: a histogram of the time of each flush that wrote readings, one
///   transaction each (its buckets, 1 ms to 10 s, are in `DescribedMetricsFactory`)
struct StoreMetrics: Sendable {
    private let written: Counter
    private let batchTime: Metrics.Timer

    init() {
        written = Counter(label: "stockpile_readings_written_total")
        batchTime = Metrics.Timer(label: "stockpile_store_batch_seconds")
    }

    /// One flush that committed `readings` in `elapsed`; a flush with nothing to write is not a batch.
    func recordBatch(readings: Int, took elapsed: Duration) {
        guard readings > 0 else { return }
        written.increment(by: readings)
        batchTime.recordNanoseconds(Int64(elapsed.seconds * 1e9))
    }
}
