public import Foundation

/// The one way ledger and reconciliation text writes and reads an instant: ISO 8601 in UTC,
/// `2026-12-01T08:00:00Z`, with milliseconds only when there are some (`…T08:00:00.250Z`).
public enum UTCTimestamp {
    /// `date` as text, to the millisecond.
    public static func text(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let whole = Date(timeIntervalSince1970: Double(milliseconds.floorDivided(by: 1000)))
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        let remainder = milliseconds - milliseconds.floorDivided(by: 1000) * 1000
        guard remainder != 0 else { return formatter.string(from: whole) }
        let base = formatter.string(from: whole).dropLast()
        let fraction = String(remainder + 1000).dropFirst()
        return "\(base).\(fraction)Z"
    }

    /// Reads `2026-12-01T08:00:00Z`, `2026-12-01T08:00:00.25Z` or an offset (`+01:00`), or `nil`.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
