public import StockpileDomain

/// Durations as scenario files write them: the site file's notation (`DurationText`: `500ms`, `30s`,
/// `2m`, `1h`, `1d`, `1h30m`), or a bare number of seconds, which a scenario may also use.
public enum SimulatedDuration {
    /// Seconds, or nil when the text is not a duration.
    public static func parse(_ text: String) -> Double? {
        if let seconds = Double(text) { return seconds >= 0 && seconds.isFinite ? seconds : nil }
        return DurationText.parse(text)?.seconds
    }
}

extension YAMLField {
    /// A duration in seconds: `30s`, `2m`, `1h`, `500ms` or a plain number of seconds.
    public func duration() throws(ConfigurationError) -> Double {
        let text = node.int.map { "\($0)" } ?? node.float.map { "\($0)" } ?? (node.string ?? "")
        guard let seconds = SimulatedDuration.parse(text) else {
            throw error("expected a duration such as 500ms, 30s, 2m or 1h, found \"\(text)\"")
        }
        return seconds
    }
}
