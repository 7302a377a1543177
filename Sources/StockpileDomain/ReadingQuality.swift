/// How far a reading can be trusted, from best to worst.
public enum ReadingQuality: String, Hashable, Sendable, CaseIterable, Codable {
    /// Read now, and the device's own status says the value is valid.
    case good
    /// Read now, but a required condition does not hold (a scale in motion).
    case uncertain
    /// The device reports an error or "no measurement" for this value.
    case bad
    /// No fresh value within the hold time; the last value is shown for reference only.
    case stale
    /// The device does not answer.
    case offline
}
