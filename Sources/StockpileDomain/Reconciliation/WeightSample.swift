public import Foundation

/// One reading of a scale's weight point (`net`, `gross` or `tare`), as reconciliation sees it.
public struct WeightSample: Hashable, Sendable {
    public var time: Date
    /// The shared point name: `net`, `gross` or `tare`.
    public var point: String
    /// kg; `nil` when the reading carried no value (offline, bad).
    public var value: Double?
    public var quality: ReadingQuality

    public init(time: Date, point: String, value: Double?, quality: ReadingQuality) {
        self.time = time
        self.point = point
        self.value = value
        self.quality = quality
    }
}

/// One UTC minute of a weight point, from the store's minute aggregates: what is left of the readings
/// once raw retention has deleted them.
public struct WeightMinute: Hashable, Sendable {
    public var minute: Date
    public var point: String
    /// Every reading of the minute, whatever its quality.
    public var count: Int
    public var goodCount: Int
    public var uncertainCount: Int
    public var badCount: Int
    public var staleCount: Int
    public var offlineCount: Int
    /// Good readings with a value, which `min`, `max` and `sum` describe.
    public var valueCount: Int
    public var min: Double?
    public var max: Double?
    public var sum: Double

    public init(
        minute: Date, point: String, count: Int, goodCount: Int, uncertainCount: Int, badCount: Int, staleCount: Int,
        offlineCount: Int, valueCount: Int, min: Double?, max: Double?, sum: Double
    ) {
        self.minute = minute
        self.point = point
        self.count = count
        self.goodCount = goodCount
        self.uncertainCount = uncertainCount
        self.badCount = badCount
        self.staleCount = staleCount
        self.offlineCount = offlineCount
        self.valueCount = valueCount
        self.min = min
        self.max = max
        self.sum = sum
    }
}

/// What the store holds of a scale's weight over the window: raw readings, or minute aggregates when
/// the window is older than raw retention.
public enum WeightRecord: Hashable, Sendable {
    case readings([WeightSample])
    case minutes([WeightMinute])
}
