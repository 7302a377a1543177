/// A moment on the simulator's virtual clock: whole nanoseconds since the scenario started.
///
/// Integer nanoseconds rather than seconds in a `Double`, so that a thousand steps of 0.1 s land on
/// exactly 100 s and a deadline such as "stable 2 s after the load change" is met on the step it
/// should be, not one step later because 0.1 has no exact binary form. No wall clock is ever read:
/// time moves only when a model is advanced.
public struct SimulatedTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the start of the scenario.
    public var nanoseconds: Int64

    /// The start of a scenario.
    public static let zero = SimulatedTime(nanoseconds: 0)

    /// A time in whole nanoseconds.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// A time in seconds, rounded to the nearest nanosecond.
    public init(seconds: Double) {
        self.nanoseconds = Self.nanoseconds(seconds)
    }

    /// Seconds since the start of the scenario.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// This time moved on by `seconds` (rounded to the nearest nanosecond).
    public func advanced(bySeconds seconds: Double) -> SimulatedTime {
        SimulatedTime(nanoseconds: nanoseconds + Self.nanoseconds(seconds))
    }

    /// Seconds from `earlier` to this time (negative when `earlier` is later).
    public func seconds(since earlier: SimulatedTime) -> Double {
        Double(nanoseconds - earlier.nanoseconds) / 1e9
    }

    /// `12.300 s`, to the millisecond.
    public var description: String {
        let milliseconds = nanoseconds / 1_000_000
        let fraction = abs(milliseconds % 1000)
        let sign = nanoseconds < 0 && milliseconds / 1000 == 0 ? "-" : ""
        let padded = String(repeating: "0", count: 3 - String(fraction).count) + String(fraction)
        return "\(sign)\(milliseconds / 1000).\(padded) s"
    }

    /// Orders by time.
    public static func < (lhs: SimulatedTime, rhs: SimulatedTime) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    private static func nanoseconds(_ seconds: Double) -> Int64 {
        precondition(seconds.isFinite && abs(seconds) < 9e9, "a simulated time is finite and under 285 years")
        return Int64((seconds * 1e9).rounded())
    }
}
