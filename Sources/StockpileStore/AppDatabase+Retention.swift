public import Foundation
import GRDB

/// What one retention pass deleted.
public struct PruneSummary: Hashable, Sendable {
    /// Raw readings older than the raw horizon.
    public var readings = 0
    /// Minute aggregates older than the aggregate horizon.
    public var aggregates = 0
    /// Health events older than the aggregate horizon.
    public var healthEvents = 0
    /// Points whose newest reading is older than the aggregate horizon: forgotten by `status` as well.
    public var points = 0
}

extension AppDatabase {
    /// Deletes raw readings older than `rawDays` days and minute aggregates (and health events) older than
    /// `aggregateDays` days, counted back from `now`.
    ///
    /// The aggregates of pruned readings stay: they were written with the readings, at ingest. Work goes point
    /// by point, one short transaction each through the `(series, time)` index, so the agent's batches
    /// interleave with a long prune instead of waiting for it.
    @discardableResult
    public func prune(now: Date = Date(), rawDays: Int = 30, aggregateDays: Int = 730) async throws -> PruneSummary {
        precondition(rawDays >= 0 && aggregateDays >= 0, "retention is a number of days")
        let nowMilliseconds = StoreTime.milliseconds(now)
        let rawCutoff = nowMilliseconds - Int64(rawDays) * StoreTime.millisecondsPerDay
        let aggregateCutoff = nowMilliseconds - Int64(aggregateDays) * StoreTime.millisecondsPerDay

        // Rows of `series` stay, even for a forgotten point: the writer may hold their ids (see `SeriesCache`).
        let series = try await reader.read { db in
            try Int64.fetchAll(db, sql: "SELECT series FROM point_latest ORDER BY series")
        }
        var summary = PruneSummary()
        for id in series {
            let deleted = try await writer.write { db in
                try db.execute(sql: "DELETE FROM reading WHERE series = ? AND time < ?", arguments: [id, rawCutoff])
                let readings = db.changesCount
                try db.execute(
                    sql: "DELETE FROM minute_aggregate WHERE series = ? AND minute < ?",
                    arguments: [id, aggregateCutoff])
                let aggregates = db.changesCount
                try db.execute(
                    sql: "DELETE FROM point_latest WHERE series = ? AND time < ?", arguments: [id, aggregateCutoff])
                return (readings, aggregates, db.changesCount)
            }
            summary.readings += deleted.0
            summary.aggregates += deleted.1
            summary.points += deleted.2
        }
        summary.healthEvents = try await writer.write { db in
            try db.execute(sql: "DELETE FROM device_health_event WHERE time < ?", arguments: [aggregateCutoff])
            return db.changesCount
        }
        return summary
    }
}
