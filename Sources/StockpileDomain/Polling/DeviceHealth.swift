/// A device's health as the poller judges it, cycle by cycle.
public enum DeviceHealth: String, Hashable, Sendable, Codable, CaseIterable {
    /// Answers every request in time.
    case online
    /// Answers, but with timeouts, retries or exceptions.
    case degraded
    /// Does not answer; quarantined with back-off.
    case offline
}
