/// How often each class of a device's points is read.
///
/// One interval for the whole device, with optional overrides per point class. Identity points
/// (firmware, serial number) are read once at start unless an override says otherwise.
public struct PollSchedule: Hashable, Sendable {
    /// When points of one class are read.
    public enum Cadence: Hashable, Sendable, CustomStringConvertible {
        case every(Duration)
        /// Once, when the device is first reached (and again after it comes back online).
        case once

        public var description: String {
            switch self {
            case .every(let interval): DurationText.describe(interval)
            case .once: "once"
            }
        }
    }

    /// The interval of every class without an override (identity excepted).
    public var every: Duration
    public var overrides: [ProfilePoint.PointClass: Cadence]

    public init(every: Duration, overrides: [ProfilePoint.PointClass: Cadence] = [:]) {
        self.every = every
        self.overrides = overrides
    }

    /// The cadence of one class of points.
    public func cadence(for pointClass: ProfilePoint.PointClass) -> Cadence {
        if let cadence = overrides[pointClass] { return cadence }
        return pointClass == .identity ? .once : .every(every)
    }
}
