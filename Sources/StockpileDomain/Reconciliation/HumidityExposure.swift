public import Foundation

/// How long a zone's humidity stood above a material's limit over a span, and how high it went:
/// the evidence that a weight gain on a hygroscopic lot is moisture uptake.
public struct HumidityExposure: Hashable, Sendable, Codable {
    /// One humidity value of the zone: a good reading (`maximum == value`) or a minute aggregate's mean
    /// and maximum.
    public struct Sample: Hashable, Sendable {
        public var time: Date
        public var value: Double
        public var maximum: Double

        public init(time: Date, value: Double, maximum: Double? = nil) {
            self.time = time
            self.value = value
            self.maximum = maximum ?? value
        }
    }

    /// The zone the humidity was measured in.
    public var zone: String
    /// The material's limit, %RH.
    public var limit: Double
    public var from: Date
    public var to: Date
    /// Hours the humidity stood above `limit` (each sample holds until the next one, at most `maximumHold`).
    public var hoursAbove: Double
    /// Hours covered by samples at all; the rest of the span had no humidity record.
    public var hoursCovered: Double
    /// The highest humidity seen, %RH; `nil` without samples.
    public var maximum: Double?
    public var sampleCount: Int

    /// A sample stands for the humidity until the next one, but never longer than this: a silent
    /// sensor is no evidence of anything.
    public static let maximumHold: TimeInterval = 600

    public init(
        zone: String, limit: Double, from: Date, to: Date, hoursAbove: Double, hoursCovered: Double, maximum: Double?,
        sampleCount: Int
    ) {
        self.zone = zone
        self.limit = limit
        self.from = from
        self.to = to
        self.hoursAbove = hoursAbove
        self.hoursCovered = hoursCovered
        self.maximum = maximum
        self.sampleCount = sampleCount
    }

    /// The exposure over `from…to` from the zone's samples (any order; those outside the span are ignored).
    public static func measure(zone: String, samples: [Sample], limit: Double, from: Date, to: Date) -> HumidityExposure
    {
        let inSpan = samples.filter { $0.time >= from && $0.time <= to }.sorted { $0.time < $1.time }
        var above: TimeInterval = 0
        var covered: TimeInterval = 0
        for (index, sample) in inSpan.enumerated() {
            let next = index + 1 < inSpan.count ? inSpan[index + 1].time : to
            let held = min(next.timeIntervalSince(sample.time), maximumHold)
            covered += held
            if sample.value > limit { above += held }
        }
        return HumidityExposure(
            zone: zone, limit: limit, from: from, to: to, hoursAbove: above / 3600, hoursCovered: covered / 3600,
            maximum: inSpan.map(\.maximum).max(), sampleCount: inSpan.count)
    }
}
