public import Foundation
public import GRDB
public import StockpileDomain

/// One row of `reading`: one point of one device at one instant, with its quality. Rows are appended by
/// ``ReadingWriter`` and deleted only by retention (``AppDatabase/prune(now:rawDays:aggregateDays:)``).
public struct Reading: Hashable, Sendable, Codable {
    /// The row id (SQLite's rowid), nil until the row is written.
    public var id: Int64?
    /// The device's name in the site file.
    public var device: String
    /// The point's name in the device's profile (`gross`, `humidity`, …).
    public var point: String
    /// How far to trust the value.
    public var quality: ReadingQuality
    private var timeMilliseconds: Int64
    private var storedNumber: Double?
    private var storedText: String?
    private var rawBytes: Data?
    /// The row of `series` this reading belongs to, once read from or written to the store. Not part of the
    /// reading's identity: `device` and `point` are.
    var seriesID: Int64? = nil

    enum CodingKeys: String, CodingKey {
        case id, device, point, quality
        case timeMilliseconds = "time"
        case storedNumber = "value"
        case storedText = "value_text"
        case rawBytes = "raw"
    }

    /// A reading; `time` is kept to the millisecond, in UTC.
    public init(
        device: String, point: String, time: Date, value: PointValue?, quality: ReadingQuality, raw: [UInt16] = []
    ) {
        self.device = device
        self.point = point
        self.quality = quality
        self.timeMilliseconds = StoreTime.milliseconds(time)
        let stored = StoredValue(value)
        self.storedNumber = stored.number
        self.storedText = stored.text
        self.rawBytes = Reading.bytes(raw)
    }

    /// The store's row for a point the poller decoded from `device` at `time`.
    public init(device: String, time: Date, reading: PointReading) {
        self.init(
            device: device, point: reading.name, time: time, value: reading.value, quality: reading.quality,
            raw: reading.raw)
    }

    /// When the value was read, to the millisecond (stored as integer milliseconds since 1970, UTC).
    public var time: Date {
        get { StoreTime.date(timeMilliseconds) }
        set { timeMilliseconds = StoreTime.milliseconds(newValue) }
    }

    /// The value, or nil when there is none (an offline device, an error the device reported).
    public var value: PointValue? {
        get { StoredValue(number: storedNumber, text: storedText).pointValue }
        set {
            let stored = StoredValue(newValue)
            storedNumber = stored.number
            storedText = stored.text
        }
    }

    /// The registers (or bits, as 0/1) the value was decoded from; stored as big-endian bytes, NULL when empty.
    public var raw: [UInt16] {
        get {
            guard let rawBytes else { return [] }
            let bytes = [UInt8](rawBytes)
            return stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        }
        set { rawBytes = Reading.bytes(newValue) }
    }

    // The writer's statement binds columns itself; these give it the stored forms.
    var storedTime: Int64 { timeMilliseconds }
    var storedValue: StoredValue { StoredValue(number: storedNumber, text: storedText) }
    var storedRaw: Data? { rawBytes }

    private static func bytes(_ registers: [UInt16]) -> Data? {
        if registers.isEmpty { return nil }
        var data = Data(capacity: registers.count * 2)
        for register in registers {
            data.append(UInt8(register >> 8))
            data.append(UInt8(register & 0xFF))
        }
        return data
    }
}

extension Reading {
    // By hand, to leave `seriesID` out: a reading read back equals the reading that was written.
    public static func == (lhs: Reading, rhs: Reading) -> Bool {
        lhs.id == rhs.id && lhs.device == rhs.device && lhs.point == rhs.point && lhs.quality == rhs.quality
            && lhs.timeMilliseconds == rhs.timeMilliseconds && lhs.storedNumber == rhs.storedNumber
            && lhs.storedText == rhs.storedText && lhs.rawBytes == rhs.rawBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(device)
        hasher.combine(point)
        hasher.combine(quality)
        hasher.combine(timeMilliseconds)
        hasher.combine(storedNumber)
        hasher.combine(storedText)
        hasher.combine(rawBytes)
    }
}

extension Reading: FetchableRecord, MutablePersistableRecord {
    /// The table's name.
    public static let databaseTableName = "reading"

    /// The row's columns, with `device` and `point` looked up in `series` (migration v2 keeps only the series id
    /// in `reading`), so that `Reading.fetchAll(db)` and friends still read whole readings.
    public static var databaseSelection: [any SQLSelectable] {
        [
            AllColumns(),
            SQL("(SELECT device FROM series WHERE series.id = reading.series) AS device"),
            SQL("(SELECT point FROM series WHERE series.id = reading.series) AS point"),
        ]
    }

    /// A reading from a row holding `reading`'s columns and its series' `device` and `point`.
    public init(row: Row) throws {
        let code: Int = row[CodingKeys.quality.stringValue]
        guard let quality = ReadingQuality(storeCode: code) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "unknown reading quality code \(code)")
        }
        self.id = row[CodingKeys.id.stringValue]
        self.device = row[CodingKeys.device.stringValue]
        self.point = row[CodingKeys.point.stringValue]
        self.quality = quality
        self.timeMilliseconds = row[CodingKeys.timeMilliseconds.stringValue]
        self.storedNumber = row[CodingKeys.storedNumber.stringValue]
        self.storedText = row[CodingKeys.storedText.stringValue]
        self.rawBytes = row[CodingKeys.rawBytes.stringValue]
        self.seriesID = row["series"]
    }

    /// The columns `init(positional:)` reads, in its order, from `reading AS r` joined to `series AS s`.
    static let positionalColumns = "r.id, s.device, s.point, r.quality, r.time, r.value, r.value_text, r.raw, r.series"

    /// A row of `positionalColumns`, its columns read by position: a query of a million readings would
    /// otherwise spend most of its time looking up column names.
    init(positional row: Row) throws {
        let code: Int = row[3]
        guard let quality = ReadingQuality(storeCode: code) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "unknown reading quality code \(code)")
        }
        self.id = row[0]
        self.device = row[1]
        self.point = row[2]
        self.quality = quality
        self.timeMilliseconds = row[4]
        self.storedNumber = row[5]
        self.storedText = row[6]
        self.rawBytes = row[7]
        self.seriesID = row[8]
    }

    /// The row as stored: the series id instead of the names, the quality as its code.
    public func encode(to container: inout PersistenceContainer) throws {
        container[CodingKeys.id.stringValue] = id
        container["series"] = seriesID
        container[CodingKeys.timeMilliseconds.stringValue] = timeMilliseconds
        container[CodingKeys.storedNumber.stringValue] = storedNumber
        container[CodingKeys.storedText.stringValue] = storedText
        container[CodingKeys.quality.stringValue] = quality.storeCode
        container[CodingKeys.rawBytes.stringValue] = rawBytes
    }

    /// Finds or creates the reading's series, in the inserting transaction.
    public mutating func willInsert(_ db: Database) throws {
        seriesID = try SeriesCache.id(of: SeriesKey(device: device, point: point), in: db)
    }

    /// The table's columns, for GRDB's query interface.
    public enum Columns {
        /// The `id` column.
        public static let id = Column(CodingKeys.id)
        /// The `device` column of the reading's series (selected by ``databaseSelection``).
        public static let device = Column(CodingKeys.device)
        /// The `point` column of the reading's series (selected by ``databaseSelection``).
        public static let point = Column(CodingKeys.point)
        /// The `time` column.
        public static let time = Column(CodingKeys.timeMilliseconds)
    }

    /// Keeps the row id SQLite chose.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
