/// A device's health as the pages show it. The first three are the agent's `DeviceHealth` words;
/// `quarantined` is an offline device being probed on back-off, `unknown` one not polled yet.
public enum DeviceHealthState: String, Sendable, Hashable, CaseIterable {
    /// Every poll answered.
    case online
    /// Some polls failed.
    case degraded
    /// Silent for `offline_after` polls.
    case offline
    /// Offline and probed on back-off.
    case quarantined
    /// Not polled yet.
    case unknown

    /// Its colour.
    public var tone: Tone {
        switch self {
        case .online: .green
        case .degraded: .amber
        case .offline, .quarantined: .red
        case .unknown: .grey
        }
    }
}
