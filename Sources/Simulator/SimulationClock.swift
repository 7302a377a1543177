import Foundation
public import SimulatorCore

/// Maps real elapsed time to simulated time: one real second is `speed` simulated seconds.
public struct SimulationClock: Sendable {
    public let speed: Double
    private let start: ContinuousClock.Instant

    public init(speed: Double, start: ContinuousClock.Instant = .now) {
        self.speed = speed
        self.start = start
    }

    /// Simulated time now.
    public var now: SimulatedTime {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return SimulatedTime(seconds: seconds * speed)
    }

    /// The real duration of `seconds` of simulated time.
    public func realDuration(ofSimulated seconds: Double) -> Duration {
        .nanoseconds(Int64(seconds / speed * 1e9))
    }
}
