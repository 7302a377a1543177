public import Foundation

/// One value of a series at one instant: a minute aggregate's mean, for a sparkline.
public struct TimedValue: Sendable, Equatable {
    /// When.
    public var time: Date
    /// The value, in the series' unit.
    public var value: Double

    /// A value at an instant.
    public init(_ time: Date, _ value: Double) {
        self.time = time
        self.value = value
    }
}
