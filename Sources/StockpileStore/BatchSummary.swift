import StockpileDomain

/// What one batch of readings changes in the derived tables, computed in memory before the upserts: one upsert
/// per (series, minute) into `minute_aggregate` and one per series into `point_latest`, instead of one per reading.
struct BatchSummary {
    struct MinuteKey: Hashable {
        var series: Int64
        var minute: Int64
    }

    /// A partial aggregate: merged into the stored row by the upsert (counts and sums add, min/max combine).
    struct MinuteDelta: Equatable {
        var count = 0
        /// good, uncertain, bad, stale, offline: a tuple, not an array, so a delta allocates nothing.
        var qualityCounts: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)
        var valueCount = 0
        var min: Double?
        var max: Double?
        var sum = 0.0

        func count(_ quality: ReadingQuality) -> Int {
            switch quality {
            case .good: qualityCounts.0
            case .uncertain: qualityCounts.1
            case .bad: qualityCounts.2
            case .stale: qualityCounts.3
            case .offline: qualityCounts.4
            }
        }

        static func == (lhs: MinuteDelta, rhs: MinuteDelta) -> Bool {
            lhs.count == rhs.count && lhs.qualityCounts == rhs.qualityCounts && lhs.valueCount == rhs.valueCount
                && lhs.min == rhs.min && lhs.max == rhs.max && lhs.sum == rhs.sum
        }
    }

    struct Latest: Equatable {
        var time: Int64
        var quality: ReadingQuality
        var goodTime: Int64?
        var goodValue: StoredValue?
    }

    private(set) var minutes: [(key: MinuteKey, delta: MinuteDelta)] = []
    private(set) var latest: [(series: Int64, entry: Latest)] = []

    /// The summary of `readings`, whose series ids are `series`, visited in `order` (see ``insertionOrder``).
    ///
    /// In that order each series, and each of its minutes, is one run of consecutive readings: the summary is a
    /// single pass with no hashing.
    init(_ readings: [Reading], series: [Int64], order: [Int]) {
        var current: (key: MinuteKey, delta: MinuteDelta)?
        var currentLatest: (series: Int64, entry: Latest)?
        for index in order {
            let reading = readings[index]
            let time = reading.storedTime
            let key = MinuteKey(series: series[index], minute: StoreTime.minute(time))
            let isGood = reading.quality == .good
            let stored = reading.storedValue

            if current?.key != key {
                if let current { minutes.append(current) }
                current = (key, MinuteDelta())
            }
            current!.delta.add(quality: reading.quality, number: isGood ? stored.number : nil)

            if currentLatest?.series != key.series {
                if let currentLatest { latest.append(currentLatest) }
                currentLatest = (key.series, Latest(time: time, quality: reading.quality))
            }
            // Visited by time, then append order: the last visited wins, so a tie goes to the one appended last.
            currentLatest!.entry.time = time
            currentLatest!.entry.quality = reading.quality
            if isGood {
                currentLatest!.entry.goodTime = time
                currentLatest!.entry.goodValue = stored
            }
        }
        if let current { minutes.append(current) }
        if let currentLatest { latest.append(currentLatest) }
    }

    /// The summary of `readings` with series numbered in memory, in order of first appearance (for tests).
    init(_ readings: [Reading]) {
        var numbers: [SeriesKey: Int64] = [:]
        let series = readings.map { reading in
            let key = SeriesKey(device: reading.device, point: reading.point)
            if let number = numbers[key] { return number }
            let number = Int64(numbers.count + 1)
            numbers[key] = number
            return number
        }
        self.init(readings, series: series, order: BatchSummary.insertionOrder(readings, series: series))
    }

    /// The readings' indices by series, then time, then append order: the order of the `(series, time)` index, so
    /// that consecutive inserts land in the same leaf, which stays hot in the CPU cache.
    static func insertionOrder(_ readings: [Reading], series: [Int64]) -> [Int] {
        let times = readings.map(\.storedTime)
        var order = Array(readings.indices)
        series.withUnsafeBufferPointer { series in
            times.withUnsafeBufferPointer { times in
                order.sort { a, b in
                    if series[a] != series[b] { return series[a] < series[b] }
                    if times[a] != times[b] { return times[a] < times[b] }
                    return a < b
                }
            }
        }
        return order
    }
}

extension BatchSummary.MinuteDelta {
    mutating func add(quality: ReadingQuality, number: Double?) {
        count += 1
        switch quality {
        case .good: qualityCounts.0 += 1
        case .uncertain: qualityCounts.1 += 1
        case .bad: qualityCounts.2 += 1
        case .stale: qualityCounts.3 += 1
        case .offline: qualityCounts.4 += 1
        }
        guard let number else { return }
        valueCount += 1
        sum += number
        min = Swift.min(min ?? number, number)
        max = Swift.max(max ?? number, number)
    }
}
