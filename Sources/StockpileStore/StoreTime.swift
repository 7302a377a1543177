import Foundation

/// How the store writes time: UTC, as integer milliseconds since 1970-01-01T00:00:00Z.
///
/// Integers keep the `(series, time)` index compact and comparisons exact, read the same in the
/// `sqlite3` shell (`datetime(time / 1000, 'unixepoch')`), and are what a central PostgreSQL or Prometheus
/// expects later. A minute bucket is the millisecond time of the minute's first instant.
enum StoreTime {
    static let millisecondsPerMinute: Int64 = 60_000
    static let millisecondsPerDay: Int64 = 86_400_000

    /// Rounded to the nearest millisecond, so that `milliseconds(date(ms)) == ms` for every stored value.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The start of the UTC minute holding `milliseconds` (floored, also before 1970).
    static func minute(_ milliseconds: Int64) -> Int64 {
        let remainder = milliseconds % millisecondsPerMinute
        return milliseconds - (remainder < 0 ? remainder + millisecondsPerMinute : remainder)
    }

    /// `date` as the store keeps it: to the millisecond.
    static func normalized(_ date: Date) -> Date {
        self.date(milliseconds(date))
    }
}
