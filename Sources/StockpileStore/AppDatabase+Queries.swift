public import Foundation
import GRDB

extension AppDatabase {
    /// The readings of `device` (one `point`, or all of them when nil) with `since <= time < until`, oldest first:
    /// the oldest `limit` of them, or with `newest`, the newest `limit` (still returned oldest first).
    ///
    /// Reads a committed snapshot, concurrently with the writer (WAL).
    public func readings(
        device: String, point: String? = nil, since: Date, until: Date? = nil, limit: Int? = nil, newest: Bool = false
    ) async throws -> [Reading] {
        try await reader.read { db in
            // Series first (CROSS JOIN fixes the loop order), then each one's `(series, time)` range.
            var sql = """
                SELECT r.*, s.device, s.point FROM series AS s CROSS JOIN reading AS r ON r.series = s.id
                WHERE s.device = ?
                """
            var arguments: StatementArguments = [device]
            if let point {
                sql += " AND s.point = ?"
                arguments += [point]
            }
            sql += " AND r.time >= ?"
            arguments += [StoreTime.milliseconds(since)]
            if let until {
                sql += " AND r.time < ?"
                arguments += [StoreTime.milliseconds(until)]
            }
            sql += newest ? " ORDER BY r.time DESC, r.id DESC" : " ORDER BY r.time, r.id"
            if let limit {
                sql += " LIMIT ?"
                arguments += [limit]
            }
            let readings = try Reading.fetchAll(db, sql: sql, arguments: arguments)
            return newest ? readings.reversed() : readings
        }
    }

    /// Every point the store has a series for, by device: what `readings` lists when a name is unknown.
    public func seriesNames() async throws -> [String: [String]] {
        try await reader.read { db in
            var names: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT device, point FROM series ORDER BY device, point") {
                names[row["device"], default: []].append(row["point"])
            }
            return names
        }
    }

    /// The minute aggregates of one point with `since <= minute < until`, oldest first.
    public func minuteAggregates(
        device: String, point: String, since: Date, until: Date? = nil
    ) async throws -> [MinuteAggregate] {
        try await reader.read { db in
            var sql = """
                SELECT a.*, s.device, s.point FROM series AS s CROSS JOIN minute_aggregate AS a ON a.series = s.id
                WHERE s.device = ? AND s.point = ? AND a.minute >= ?
                """
            var arguments: StatementArguments = [device, point, StoreTime.milliseconds(since)]
            if let until {
                sql += " AND a.minute < ?"
                arguments += [StoreTime.milliseconds(until)]
            }
            return try MinuteAggregate.fetchAll(db, sql: sql + " ORDER BY a.minute", arguments: arguments)
        }
    }

    /// The health transitions of `device` since `since`, oldest first.
    public func healthEvents(device: String, since: Date) async throws -> [DeviceHealthEvent] {
        try await reader.read { db in
            try DeviceHealthEvent
                .filter(DeviceHealthEvent.Columns.device == device)
                .filter(DeviceHealthEvent.Columns.time >= StoreTime.milliseconds(since))
                .order(DeviceHealthEvent.Columns.time, DeviceHealthEvent.Columns.id)
                .fetchAll(db)
        }
    }

    /// Every device the store knows (from its readings or its health events), by name: its newest health
    /// transition, each point's newest reading and newest good reading, and its error counts.
    ///
    /// Error counts are the `bad` and `offline` readings of the minute aggregates whose minute starts at or after
    /// `now - errorWindow` rounded down to the minute: the last hour by default, counted in whole minutes, so
    /// between 60 and 61 minutes of readings. One snapshot: the figures agree with each other.
    public func status(now: Date = Date(), errorWindow: Duration = .seconds(3600)) async throws -> [DeviceStatus] {
        let windowMilliseconds =
            errorWindow.components.seconds * 1000
            + errorWindow.components.attoseconds / 1_000_000_000_000_000
        let windowStart = StoreTime.minute(StoreTime.milliseconds(now) - windowMilliseconds)
        return try await reader.read { db in
            let points = try PointLatest.fetchAll(
                db,
                sql: """
                    SELECT p.*, s.device, s.point FROM point_latest AS p JOIN series AS s ON s.id = p.series
                    ORDER BY s.device, s.point
                    """)
            // The newest transition per device (ties broken by insertion order).
            let health = try DeviceHealthEvent.fetchAll(
                db,
                sql: """
                    SELECT id, device, time, from_state, to_state, reason FROM (
                        SELECT *, row_number() OVER (PARTITION BY device ORDER BY time DESC, id DESC) AS rank
                        FROM device_health_event)
                    WHERE rank = 1
                    """)
            // Series by series through the aggregates' primary key (CROSS JOIN fixes the loop order).
            let errorRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.device, sum(a.bad_count) AS bad, sum(a.offline_count) AS offline
                    FROM point_latest AS p CROSS JOIN minute_aggregate AS a ON a.series = p.series AND a.minute >= ?
                        JOIN series AS s ON s.id = p.series
                    GROUP BY s.device
                    """,
                arguments: [windowStart])

            var devices: [String: DeviceStatus] = [:]
            func entry(_ device: String) -> DeviceStatus {
                devices[device]
                    ?? DeviceStatus(device: device, health: nil, points: [], recentBadCount: 0, recentOfflineCount: 0)
            }
            for point in points {
                devices[point.device] = entry(point.device)
                devices[point.device]!.points.append(point)
            }
            for event in health {
                devices[event.device] = entry(event.device)
                devices[event.device]!.health = event
            }
            for row in errorRows {
                let device: String = row["device"]
                devices[device] = entry(device)
                devices[device]!.recentBadCount = row["bad"]
                devices[device]!.recentOfflineCount = row["offline"]
            }
            return devices.values.sorted { $0.device < $1.device }
        }
    }
}

extension AppDatabase {
    /// The readings of `points` of every device with `since <= time < until`, by device, each device's
    /// point by point, each point's in time order: one query for a whole reconciliation instead of one per
    /// location and point.
    public func readings(
        points: [String], since: Date, until: Date
    ) async throws -> [String: [Reading]] {
        try await reader.read { db in
            let marks = Array(repeating: "?", count: points.count).joined(separator: ", ")
            var arguments = StatementArguments(points)
            arguments += [StoreTime.milliseconds(since), StoreTime.milliseconds(until)]
            // Series by series through the (series, time) index: no sort of the whole result.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT \(Reading.positionalColumns) FROM series AS s CROSS JOIN reading AS r ON r.series = s.id
                    WHERE s.point IN (\(marks)) AND r.time >= ? AND r.time < ?
                    ORDER BY s.id, r.time, r.id
                    """, arguments: arguments)
            var byDevice: [String: [Reading]] = [:]
            while let row = try rows.next() {
                let reading = try Reading(positional: row)
                byDevice[reading.device, default: []].append(reading)
            }
            return byDevice
        }
    }

    /// The health transitions of every device since `since`, by device, oldest first.
    public func healthEvents(since: Date) async throws -> [String: [DeviceHealthEvent]] {
        try await reader.read { db in
            let events =
                try DeviceHealthEvent
                .filter(DeviceHealthEvent.Columns.time >= StoreTime.milliseconds(since))
                .order(DeviceHealthEvent.Columns.time, DeviceHealthEvent.Columns.id)
                .fetchAll(db)
            return Dictionary(grouping: events, by: \.device)
        }
    }
}
