public import StockpileDomain

/// Durations as scenario files write them: `500ms`, `30s`, `2m`, `1h`, `1d`, `1h30m`, or a number of seconds.
public enum SimulatedDuration {
    /// Seconds, or nil when the text is not a duration.
    public static func parse(_ text: String) -> Double? {
        if let seconds = Double(text) { return seconds >= 0 ? seconds : nil }
        var total = 0.0
        var number = ""
        var unit = ""
        func flush() -> Bool {
            guard let value = Double(number), !unit.isEmpty else { return false }
            let factors: [String: Double] = ["ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400]
            guard let factor = factors[unit] else { return false }
            total += value * factor
            number = ""
            unit = ""
            return true
        }
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isNumber || character == "." {
                if !unit.isEmpty, !flush() { return nil }
                number.append(character)
            } else if character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush() else { return nil }
        return total
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
