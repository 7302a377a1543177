/// When to try an `offline` device again: after its poll interval, doubling with every silent probe,
/// up to a cap. Its probes then take a bounded share of the bus, so its timeouts cannot starve the
/// healthy devices that share it.
public struct QuarantineBackoff: Hashable, Sendable {
    /// The first delay (the device's own poll interval).
    public let initial: Duration
    /// The longest delay between two probes.
    public let maximum: Duration

    public init(initial: Duration, maximum: Duration = .seconds(60)) {
        self.initial = max(initial, .milliseconds(1))
        self.maximum = max(maximum, self.initial)
    }

    /// The delay before the next probe after `silentProbes` silent probes (0 for the poll that
    /// took the device offline): initial × 2^silentProbes, capped.
    public func delay(afterSilentProbes silentProbes: Int) -> Duration {
        var delay = initial
        for _ in 0..<max(silentProbes, 0) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
