public import Foundation
public import GRDB

/// One row of `minute_aggregate`: what one point of one device read during one UTC minute.
///
/// `count` and the per-quality counts cover every reading of the minute. `min`, `max`, `sum` and `mean` cover
/// only the readings that were `good` and carried a number (bools count as 0 or 1): a weight read while the scale
/// was in motion, or a value marked stale, is not a measurement. `valueCount` says how many those were; `mean`
/// is nil when there were none. Rows are written by ``ReadingWriter`` in the transaction that writes their
/// readings, so they outlive raw retention and agree with the raw rows while both exist.
public struct MinuteAggregate: Hashable, Sendable, Codable {
    /// The device's name in the site file.
    public var device: String
    /// The point's name.
    public var point: String
    /// Every reading of the minute, whatever its quality.
    public var count: Int
    /// Readings of quality `good`.
    public var goodCount: Int
    /// Readings of quality `uncertain`.
    public var uncertainCount: Int
    /// Readings of quality `bad`.
    public var badCount: Int
    /// Readings of quality `stale`.
    public var staleCount: Int
    /// Readings of quality `offline`.
    public var offlineCount: Int
    /// Good readings with a numeric value: the readings `min`, `max`, `sum` and `mean` describe.
    public var valueCount: Int
    /// The smallest good value, nil when `valueCount` is 0.
    public var min: Double?
    /// The largest good value, nil when `valueCount` is 0.
    public var max: Double?
    /// The sum of the good values (0 when there are none): how the mean is kept exact across batches.
    public var sum: Double
    /// `sum / valueCount`, computed by SQLite (a generated column), nil when `valueCount` is 0.
    public var mean: Double?
    private var minuteMilliseconds: Int64

    enum CodingKeys: String, CodingKey {
        case device, point, count, min, max, sum, mean
        case minuteMilliseconds = "minute"
        case goodCount = "good_count"
        case uncertainCount = "uncertain_count"
        case badCount = "bad_count"
        case staleCount = "stale_count"
        case offlineCount = "offline_count"
        case valueCount = "value_count"
    }

    /// The first instant of the minute, UTC.
    public var minute: Date {
        StoreTime.date(minuteMilliseconds)
    }
}

extension MinuteAggregate: FetchableRecord, TableRecord {
    /// The table's name. Rows are only written by the batch writer's upsert, so the record is not persistable.
    public static let databaseTableName = "minute_aggregate"

    /// The row's columns, with `device` and `point` looked up in `series` (migration v2 keys the table by series).
    public static var databaseSelection: [any SQLSelectable] {
        [
            AllColumns(),
            SQL("(SELECT device FROM series WHERE series.id = minute_aggregate.series) AS device"),
            SQL("(SELECT point FROM series WHERE series.id = minute_aggregate.series) AS point"),
        ]
    }

    /// The table's columns, for GRDB's query interface.
    public enum Columns {
        /// The `device` column of the row's series (selected by ``databaseSelection``).
        public static let device = Column(CodingKeys.device)
        /// The `point` column of the row's series (selected by ``databaseSelection``).
        public static let point = Column(CodingKeys.point)
        /// The `minute` column.
        public static let minute = Column(CodingKeys.minuteMilliseconds)
    }
}
