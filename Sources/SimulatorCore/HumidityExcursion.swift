/// A humidity excursion: relative humidity pulled to a target, held there, then released.
///
/// Deterministic in shape: a straight ramp from the daily-cycle value to `target` over `ramp`
/// seconds, `hold` seconds at the target, and a straight ramp back over `ramp` seconds; noise is
/// added on top, as it is to every humidity reading. This is the event the agent's alert rules
/// must catch for hygroscopic oxides (a door left open in wet weather, a failed dehumidifier).
public struct HumidityExcursion: Hashable, Sendable {
    /// The humidity reached and held (%RH).
    public var target: Double
    /// Seconds to reach the target, and again to return from it.
    public var ramp: Double
    /// Seconds held at the target.
    public var hold: Double
    /// When the excursion began.
    public var start: SimulatedTime

    /// An excursion beginning at `start`.
    public init(target: Double, ramp: Double, hold: Double, start: SimulatedTime) {
        precondition(ramp >= 0 && hold >= 0, "ramp and hold durations cannot be negative")
        self.target = target
        self.ramp = ramp
        self.hold = hold
        self.start = start
    }

    /// When the humidity is back on its daily cycle.
    public var end: SimulatedTime { start.advanced(bySeconds: 2 * ramp + hold) }

    /// How far the humidity is pulled to the target at `moment`: 0 (not at all) to 1 (at the target).
    public func weight(at moment: SimulatedTime) -> Double {
        let elapsed = moment.seconds(since: start)
        if elapsed < 0 || moment >= end { return 0 }
        if elapsed < ramp { return elapsed / ramp }
        if elapsed <= ramp + hold { return 1 }
        return max(0, 1 - (elapsed - ramp - hold) / ramp)
    }
}
