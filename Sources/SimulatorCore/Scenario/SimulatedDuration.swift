public import StockpileDomain

/// Durations as scenario files write them: the site file's notation (`DurationText`: `500ms`, `30s`,
/// `2m`, `1h`, `1d`, `1h30m`), or a bare number of seconds, which a scenario may also use.
public enum SimulatedDuration {
    /// The longest duration a scenario may give (about 31 years): the virtual clock counts
    /// nanoseconds in 64 bits, and a timeline beyond this is a typo, not a plan.
    public static let maximumSeconds = 1e9

    /// Seconds, or nil when the text is not a duration (or is negative or beyond `maximumSeconds`).
    public static func parse(_ text: String) -> Double? {
        let seconds = Double(text) ?? DurationText.parse(text)?.seconds
        guard let seconds, seconds.isFinite, (0...maximumSeconds).contains(seconds) else { return nil }
        return seconds
    }
}

extension YAMLField {
    /// A duration in seconds: `30s`, `2m`, `1h`, `500ms` or a plain number of seconds.
    public func duration() throws(ConfigurationError) -> Double {
        let text = node.int.map { "\($0)" } ?? node.float.map { "\($0)" } ?? (node.string ?? "")
        guard let seconds = SimulatedDuration.parse(text) else {
            throw error(
                "expected a duration such as 500ms, 30s, 2m or 1h (0 to \(Int(SimulatedDuration.maximumSeconds)) s), "
                    + "found \"\(text)\"")
        }
        return seconds
    }
}
