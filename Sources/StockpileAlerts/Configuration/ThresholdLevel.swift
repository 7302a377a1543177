/// One limit on a value, with the margin it must come back by before it clears (hysteresis).
///
/// `above 65, margin 3`: active while the value is greater than 65, cleared once it is at or below
/// 62, and between the two nothing changes (an alert already up stays up, none starts). This is
/// viewLinc's "alarm off margin" [src: Vaisala viewLinc 5.1, "Creating Threshold Alarm Templates"].
public struct ThresholdLevel: Hashable, Sendable, Codable {
    /// Which side of the limit is the alarm.
    public enum Direction: String, Hashable, Sendable, Codable, CaseIterable {
        /// Alarm while the value is greater than the limit.
        case above
        /// Alarm while the value is less than the limit.
        case below
    }

    /// Where a value stands against the level.
    public enum Verdict: Hashable, Sendable {
        /// Beyond the limit: the condition holds.
        case beyond
        /// Between the clearing level and the limit: whatever holds, keeps holding.
        case band
        /// Back by the margin: the condition has cleared.
        case clear
    }

    /// Which side of the limit alarms.
    public var direction: Direction
    /// The trigger level.
    public var limit: Double
    /// How far back past the limit the value must come to clear (0: clears at the limit itself).
    public var clearMargin: Double

    /// A level from its direction, limit and margin.
    public init(_ direction: Direction, _ limit: Double, clearMargin: Double = 0) {
        self.direction = direction
        self.limit = limit
        self.clearMargin = clearMargin
    }

    /// The level at (or beyond) which the condition clears: limit − margin above, limit + margin below.
    public var clearingLevel: Double {
        direction == .above ? limit - clearMargin : limit + clearMargin
    }

    /// Judges a value: beyond the limit (strictly), back by the margin (inclusive), or in the band between.
    public func judge(_ value: Double) -> Verdict {
        switch direction {
        case .above: value > limit ? .beyond : value <= clearingLevel ? .clear : .band
        case .below: value < limit ? .beyond : value >= clearingLevel ? .clear : .band
        }
    }

    /// `above 65` or `below 5`, for labels and summaries.
    public var text: String { "\(direction.rawValue) \(AlertText.number(limit))" }
}
