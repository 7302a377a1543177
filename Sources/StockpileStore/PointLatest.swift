public import Foundation
public import GRDB
public import StockpileDomain

/// One row of `point_latest`: every (device, point) the store has seen, with its newest reading and its newest
/// good one. Kept by ``ReadingWriter`` in each batch's transaction, so `status` reads one row per point instead
/// of scanning readings, and retention knows every series without a scan.
public struct PointLatest: Hashable, Sendable, Codable {
    /// The device's name in the site file.
    public var device: String
    /// The point's name.
    public var point: String
    /// The newest reading's quality.
    public var quality: ReadingQuality
    private var timeMilliseconds: Int64
    private var goodTimeMilliseconds: Int64?
    private var goodNumber: Double?
    private var goodText: String?

    enum CodingKeys: String, CodingKey {
        case device, point, quality
        case timeMilliseconds = "time"
        case goodTimeMilliseconds = "good_time"
        case goodNumber = "good_value"
        case goodText = "good_value_text"
    }

    /// The newest reading's time.
    public var time: Date {
        StoreTime.date(timeMilliseconds)
    }

    /// The newest good reading's time, nil if the point never read good.
    public var goodTime: Date? {
        goodTimeMilliseconds.map(StoreTime.date)
    }

    /// The newest good reading's value.
    public var goodValue: PointValue? {
        StoredValue(number: goodNumber, text: goodText).pointValue
    }
}

extension PointLatest: FetchableRecord, TableRecord {
    /// The table's name. Rows are only written by the batch writer's upsert, so the record is not persistable.
    public static let databaseTableName = "point_latest"

    /// The row's columns, with `device` and `point` looked up in `series` (migration v2 keys the table by series).
    public static var databaseSelection: [any SQLSelectable] {
        [
            AllColumns(),
            SQL("(SELECT device FROM series WHERE series.id = point_latest.series) AS device"),
            SQL("(SELECT point FROM series WHERE series.id = point_latest.series) AS point"),
        ]
    }

    /// A latest value from a row holding `point_latest`'s columns and its series' `device` and `point`.
    public init(row: Row) throws {
        let code: Int = row[CodingKeys.quality.stringValue]
        guard let quality = ReadingQuality(storeCode: code) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "unknown reading quality code \(code)")
        }
        self.device = row[CodingKeys.device.stringValue]
        self.point = row[CodingKeys.point.stringValue]
        self.quality = quality
        self.timeMilliseconds = row[CodingKeys.timeMilliseconds.stringValue]
        self.goodTimeMilliseconds = row[CodingKeys.goodTimeMilliseconds.stringValue]
        self.goodNumber = row[CodingKeys.goodNumber.stringValue]
        self.goodText = row[CodingKeys.goodText.stringValue]
    }

    /// The table's columns, for GRDB's query interface.
    public enum Columns {
        /// The `device` column of the row's series (selected by ``databaseSelection``).
        public static let device = Column(CodingKeys.device)
        /// The `point` column of the row's series (selected by ``databaseSelection``).
        public static let point = Column(CodingKeys.point)
        /// The `time` column.
        public static let time = Column(CodingKeys.timeMilliseconds)
    }
}
