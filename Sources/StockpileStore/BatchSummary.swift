import StockpileDomain

/// What one batch of readings changes in the derived tables, computed in memory before the transaction:
/// one upsert per (point, minute) into `minute_aggregate` and one per point into `point_latest`, instead of
/// one per reading.
struct BatchSummary {
    struct Series: Hashable {
        var device: String
        var point: String
    }

    struct MinuteKey: Hashable {
        var series: Series
        var minute: Int64
    }

    /// A partial aggregate: merged into the stored row by the upsert (counts and sums add, min/max combine).
    struct MinuteDelta: Equatable {
        var count = 0
        /// Indexed like `ReadingQuality.allCases`.
        var qualityCounts = [Int](repeating: 0, count: ReadingQuality.allCases.count)
        var valueCount = 0
        var min: Double?
        var max: Double?
        var sum = 0.0

        func count(_ quality: ReadingQuality) -> Int {
            qualityCounts[BatchSummary.qualityIndex[quality]!]
        }
    }

    struct Latest: Equatable {
        var time: Int64
        var quality: ReadingQuality
        var goodTime: Int64?
        var goodValue: StoredValue?
    }

    static let qualityIndex: [ReadingQuality: Int] = Dictionary(
        uniqueKeysWithValues: ReadingQuality.allCases.enumerated().map { ($0.element, $0.offset) })

    private(set) var minutes: [MinuteKey: MinuteDelta] = [:]
    private(set) var latest: [Series: Latest] = [:]

    init(_ readings: [Reading]) {
        for reading in readings {
            let series = Series(device: reading.device, point: reading.point)
            let time = reading.storedTime
            let stored = reading.storedValue
            let key = MinuteKey(series: series, minute: StoreTime.minute(time))
            let qualityIndex = BatchSummary.qualityIndex[reading.quality]!
            let isGood = reading.quality == .good

            minutes[key, default: MinuteDelta()].add(
                qualityIndex: qualityIndex, number: isGood ? stored.number : nil)

            // Later readings win; within the batch, a tie goes to the one appended last.
            var entry = latest[series] ?? Latest(time: time, quality: reading.quality)
            if time >= entry.time {
                entry.time = time
                entry.quality = reading.quality
            }
            if isGood, time >= entry.goodTime ?? .min {
                entry.goodTime = time
                entry.goodValue = stored
            }
            latest[series] = entry
        }
    }
}

extension BatchSummary.MinuteDelta {
    mutating func add(qualityIndex: Int, number: Double?) {
        count += 1
        qualityCounts[qualityIndex] += 1
        guard let number else { return }
        valueCount += 1
        sum += number
        min = Swift.min(min ?? number, number)
        max = Swift.max(max ?? number, number)
    }
}
