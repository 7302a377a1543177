import Foundation

/// Durations as site files write them: `500ms`, `1s`, `2m`, `1h`, `1d`, or compounds like `1m30s`.
///
/// A unit is required (a bare `5` could mean seconds or milliseconds); only `0` may go without one.
/// The simulator's `SimulatedDuration` reads the same notation (through `parse`) as seconds on its
/// virtual clock.
public enum DurationText {
    private static let nanoseconds: [String: Double] = [
        "ms": 1e6, "s": 1e9, "m": 60e9, "min": 60e9, "h": 3600e9, "d": 86400e9,
    ]

    /// The duration, or nil when the text is not one.
    public static func parse(_ text: String) -> Duration? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text == "0" { return .zero }
        var total = 0.0
        var number = ""
        var unit = ""
        var sawPart = false
        func flush() -> Bool {
            guard let value = Double(number), let factor = nanoseconds[unit] else { return false }
            total += value * factor
            number = ""
            unit = ""
            sawPart = true
            return true
        }
        for character in text {
            if character.isASCII, character.isNumber || character == "." {
                if !unit.isEmpty, !flush() { return nil }
                number.append(character)
            } else if character.isASCII, character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush(), sawPart, total < Double(Int64.max) else { return nil }
        return .nanoseconds(Int64(total.rounded()))
    }

    /// The shortest form `parse` reads back: `500ms`, `1s`, `1m30s`, `1d`.
    public static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        var text = milliseconds < 0 ? "-" : ""
        milliseconds = abs(milliseconds)
        let parts: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        for (unit, size) in parts where milliseconds >= size {
            text += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return text
    }
}

extension YAMLField {
    /// A duration with a unit (`500ms`, `1s`, `2m`), within `range`.
    public func duration(in range: ClosedRange<Duration>) throws(ConfigurationError) -> Duration {
        guard let text = node.scalar?.string else { throw error("expected a duration such as 500ms, 1s or 2m") }
        guard let value = DurationText.parse(text) else {
            throw error("expected a duration such as 500ms, 1s or 2m, found \"\(text)\"")
        }
        guard range.contains(value) else {
            throw error(
                "\(DurationText.describe(value)) is out of range "
                    + "\(DurationText.describe(range.lowerBound))–\(DurationText.describe(range.upperBound))")
        }
        return value
    }
}
