import Foundation

/// How the pages write numbers, ages and instants: fixed decimals, no grouping, the same in every locale.
enum DisplayFormat {
    /// The text shown where a value is missing.
    static let missing = "—"

    /// `value` with `decimals` decimals; never `-0.0`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return missing }
        let text = String(format: "%.\(decimals)f", value)
        // A value that rounds to zero prints as "-0.0" from a tiny negative; that minus says nothing.
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    /// `12.3 kg`, or the missing mark.
    static func kilograms(_ value: Double?) -> String {
        value.map { fixed($0, decimals: 1) + " kg" } ?? missing
    }

    /// A variance in kg with its sign: `+12.3 kg`, `-4.0 kg`, `0.0 kg`.
    static func signedKilograms(_ value: Double?) -> String {
        value.map { signed($0, decimals: 1) + " kg" } ?? missing
    }

    /// A percentage with its sign: `+1.25 %`.
    static func signedPercent(_ value: Double?) -> String {
        value.map { signed($0, decimals: 2) + " %" } ?? missing
    }

    /// `21.4 °C`, or the missing mark.
    static func celsius(_ value: Double?) -> String {
        value.map { fixed($0, decimals: 1) + " °C" } ?? missing
    }

    /// `55.0 %RH`, or the missing mark.
    static func relativeHumidity(_ value: Double?) -> String {
        value.map { fixed($0, decimals: 1) + " %RH" } ?? missing
    }

    /// A value in a unit: 1 decimal for weights, temperatures and humidities, else up to 3, trailing zeros cut.
    static func value(_ value: Double, unit: String?) -> String {
        let number: String
        switch unit {
        case "kg", "°C", "%RH", "%": number = fixed(value, decimals: 1)
        default: number = trimmed(fixed(value, decimals: 3))
        }
        guard let unit, !unit.isEmpty else { return number }
        return number + " " + unit
    }

    /// An age for people: `12 s` under a minute, `3 min` under an hour, `2 h` under two days, then `4 d`.
    static func age(seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return missing }
        let whole = max(0, Int(seconds.rounded(.down)))
        switch whole {
        case ..<60: return "\(whole) s"
        case ..<3600: return "\(whole / 60) min"
        case ..<(48 * 3600): return "\(whole / 3600) h"
        default: return "\(whole / 86400) d"
        }
    }

    /// `2026-12-02 05:32:14 UTC` in the given zone.
    static func instant(_ date: Date, in zone: TimeZone) -> String {
        let parts = calendar(zone).dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0) + " " + zoneName(zone, at: date)
    }

    /// `05:32` in the given zone, for axis labels; with the day (`12-02 05:32`) when `withDay`.
    static func clock(_ date: Date, in zone: TimeZone, withDay: Bool) -> String {
        let parts = calendar(zone).dateComponents([.month, .day, .hour, .minute], from: date)
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        return withDay ? String(format: "%02d-%02d ", parts.month ?? 0, parts.day ?? 0) + time : time
    }

    /// The instant as ISO 8601 in UTC, for `<time datetime>`.
    static func machineInstant(_ date: Date) -> String {
        let parts = calendar(.gmt).dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    private static func signed(_ value: Double, decimals: Int) -> String {
        let text = fixed(value, decimals: decimals)
        guard value.isFinite, !text.hasPrefix("-"), text.contains(where: { $0 != "0" && $0 != "." }) else {
            return text
        }
        return "+" + text
    }

    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var text = Substring(text)
        while text.last == "0" { text = text.dropLast() }
        if text.last == "." { text = text.dropLast() }
        return String(text)
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// `UTC`, or the offset from it (`UTC+01:00`): the same on every platform, unlike abbreviations.
    private static func zoneName(_ zone: TimeZone, at date: Date) -> String {
        let offset = zone.secondsFromGMT(for: date)
        guard offset != 0 else { return "UTC" }
        let minutes = abs(offset) / 60
        return "UTC" + (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
