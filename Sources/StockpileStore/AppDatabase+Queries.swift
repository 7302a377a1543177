public import Foundation
import GRDB

extension AppDatabase {
    /// The readings of `device` (one `point`, or all of them when nil) with `since <= time < until`, oldest first.
    ///
    /// Reads a committed snapshot, concurrently with the writer (WAL).
    public func readings(
        device: String, point: String? = nil, since: Date, until: Date? = nil, limit: Int? = nil
    ) async throws -> [Reading] {
        try await reader.read { db in
            var request = Reading.filter(Reading.Columns.device == device)
            if let point {
                request = request.filter(Reading.Columns.point == point)
            }
            request = request.filter(Reading.Columns.time >= StoreTime.milliseconds(since))
            if let until {
                request = request.filter(Reading.Columns.time < StoreTime.milliseconds(until))
            }
            request = request.order(Reading.Columns.time, Reading.Columns.id)
            if let limit {
                request = request.limit(limit)
            }
            return try request.fetchAll(db)
        }
    }

    /// The minute aggregates of one point with `since <= minute < until`, oldest first.
    public func minuteAggregates(
        device: String, point: String, since: Date, until: Date? = nil
    ) async throws -> [MinuteAggregate] {
        try await reader.read { db in
            var request =
                MinuteAggregate
                .filter(MinuteAggregate.Columns.device == device && MinuteAggregate.Columns.point == point)
                .filter(MinuteAggregate.Columns.minute >= StoreTime.milliseconds(since))
            if let until {
                request = request.filter(MinuteAggregate.Columns.minute < StoreTime.milliseconds(until))
            }
            return try request.order(MinuteAggregate.Columns.minute).fetchAll(db)
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
            let points =
                try PointLatest
                .order(PointLatest.Columns.device, PointLatest.Columns.point)
                .fetchAll(db)
            // The newest transition per device (ties broken by insertion order).
            let health = try DeviceHealthEvent.fetchAll(
                db,
                sql: """
                    SELECT id, device, time, from_state, to_state, reason FROM (
                        SELECT *, row_number() OVER (PARTITION BY device ORDER BY time DESC, id DESC) AS rank
                        FROM device_health_event)
                    WHERE rank = 1
                    """)
            // Point by point through the aggregates' primary key (CROSS JOIN fixes the loop order).
            let errorRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.device, sum(a.bad_count) AS bad, sum(a.offline_count) AS offline
                    FROM point_latest AS p CROSS JOIN minute_aggregate AS a
                        ON a.device = p.device AND a.point = p.point AND a.minute >= ?
                    GROUP BY p.device
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
