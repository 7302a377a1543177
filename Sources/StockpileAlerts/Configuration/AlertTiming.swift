/// How long a condition must hold before it notifies, and how long an alert stays up after it stops.
///
/// The three durations damp flapping: `pending` lasts `for`, a firing alert outlives its condition by
/// `keepFiringFor` (Prometheus's field of that name), and stays firing at least `minimumFiring`
/// after it started firing, however briefly its condition held.
public struct AlertTiming: Hashable, Sendable, Codable {
    /// How long the condition must hold, unbroken, before a pending alert fires (`for`; zero fires at once).
    public var pendingFor: Duration
    /// How long a firing alert stays firing after its condition was last seen to hold (`keep_firing_for`).
    public var keepFiringFor: Duration
    /// The shortest time an alert stays firing once it fired (`min_firing`), against alerts that
    /// fire and resolve on every other reading.
    public var minimumFiring: Duration

    /// Timing from its three durations, zero by default.
    public init(pendingFor: Duration = .zero, keepFiringFor: Duration = .zero, minimumFiring: Duration = .zero) {
        self.pendingFor = pendingFor
        self.keepFiringFor = keepFiringFor
        self.minimumFiring = minimumFiring
    }
}
