public import Foundation

/// The readings a physical weight was taken from, as an auditor checks them.
public struct ReadingEvidence: Hashable, Sendable, Codable {
    /// How many readings of each quality, in `ReadingQuality` order, zero counts left out.
    public struct QualityCount: Hashable, Sendable, Codable {
        public var quality: ReadingQuality
        public var count: Int

        public init(quality: ReadingQuality, count: Int) {
            self.quality = quality
            self.count = count
        }
    }

    /// Where the numbers come from: `raw readings` or `minute aggregates`.
    public enum Source: String, Hashable, Sendable, Codable {
        case readings = "raw readings"
        case minuteAggregates = "minute aggregates"
    }

    /// The device that weighs the location.
    public var device: String
    /// The point the weight came from (`net`, or `gross` when the scale reports no net).
    public var point: String
    public var source: Source
    /// The window's bounds: readings after `windowStart`, up to and including `windowEnd`.
    public var windowStart: Date
    public var windowEnd: Date
    /// The first and last reading of the point in the window, any quality.
    public var first: Date?
    public var last: Date?
    /// Readings of the point in the window, any quality.
    public var count: Int
    /// Good readings with a value: the ones the physical weight is computed from.
    public var goodCount: Int
    /// The median of the good values (the count-weighted mean of minute means from aggregates).
    public var median: Double?
    public var minimum: Double?
    public var maximum: Double?
    public var qualities: [QualityCount]

    public init(
        device: String, point: String, source: Source, windowStart: Date, windowEnd: Date, first: Date?, last: Date?,
        count: Int, goodCount: Int, median: Double?, minimum: Double?, maximum: Double?, qualities: [QualityCount]
    ) {
        self.device = device
        self.point = point
        self.source = source
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.first = first
        self.last = last
        self.count = count
        self.goodCount = goodCount
        self.median = median
        self.minimum = minimum
        self.maximum = maximum
        self.qualities = qualities
    }
}
