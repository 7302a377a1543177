public import Foundation
public import GRDB
public import StockpileDomain

/// One row of `device_health_event`: a transition of a device's health, with the reason the poller gave.
/// Written through ``ReadingWriter/record(_:)`` in the same transactions as the readings.
public struct DeviceHealthEvent: Hashable, Sendable, Codable {
    /// The row id, nil until the row is written.
    public var id: Int64?
    /// The device's name in the site file.
    public var device: String
    /// The state before; nil for the first state the agent knows of.
    public var from: DeviceHealth?
    /// The state after.
    public var to: DeviceHealth
    /// Why, in words a technician understands ("3 timeouts in a row", "answered again").
    public var reason: String
    private var timeMilliseconds: Int64

    // `from` and `to` are SQL keywords: the columns are `from_state` and `to_state`.
    enum CodingKeys: String, CodingKey {
        case id, device, reason
        case timeMilliseconds = "time"
        case from = "from_state"
        case to = "to_state"
    }

    /// A transition at `time` (kept to the millisecond, UTC).
    public init(device: String, time: Date, from: DeviceHealth?, to: DeviceHealth, reason: String) {
        self.device = device
        self.timeMilliseconds = StoreTime.milliseconds(time)
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// When the transition happened.
    public var time: Date {
        get { StoreTime.date(timeMilliseconds) }
        set { timeMilliseconds = StoreTime.milliseconds(newValue) }
    }
}

extension DeviceHealthEvent: FetchableRecord, MutablePersistableRecord {
    /// The table's name.
    public static let databaseTableName = "device_health_event"

    /// The table's columns, for GRDB's query interface.
    public enum Columns {
        /// The `id` column.
        public static let id = Column(CodingKeys.id)
        /// The `device` column.
        public static let device = Column(CodingKeys.device)
        /// The `time` column.
        public static let time = Column(CodingKeys.timeMilliseconds)
    }

    /// Keeps the row id SQLite chose.
    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
