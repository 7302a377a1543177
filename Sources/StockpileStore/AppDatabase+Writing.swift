import GRDB
import StockpileDomain

extension AppDatabase {
    /// Writes one batch in ONE write transaction: its readings, the minute aggregates and latest values they
    /// change, and the health events recorded with them. All of it commits, or none of it does.
    ///
    /// The transaction runs to completion even if the calling task is cancelled (a shutdown drains the writer
    /// from a cancelled task): it is scheduled with GRDB's callback API, which does not interrupt SQLite on
    /// cancellation. A batch is bounded, so this is bounded too.
    func write(batch: [Reading], healthEvents: [DeviceHealthEvent]) async throws {
        let summary = BatchSummary(batch)
        // In index order: consecutive inserts land in the same `(device, point, time)` leaf, which stays hot,
        // instead of visiting every point's leaf once per poll cycle of the batch.
        let readings = batch.sorted {
            ($0.device, $0.point, $0.storedTime) < ($1.device, $1.point, $1.storedTime)
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writer.asyncWrite(
                { db in
                    try AppDatabase.insert(readings, in: db)
                    try AppDatabase.upsert(summary, in: db)
                    for var event in healthEvents {
                        try event.insert(db)
                    }
                },
                completion: { _, result in continuation.resume(with: result) })
        }
    }

    private static func insert(_ readings: [Reading], in db: Database) throws {
        // One prepared statement for the whole batch, taken from the connection's cache. Each row is bound
        // through GRDB's `StatementBinding` values rather than a `StatementArguments` array: the array boxes
        // every value, which cost the writer about a sixth of its time at 10k-reading batches.
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO reading (device, point, time, value, value_text, quality, raw)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        let handle = statement.sqliteStatement
        for reading in readings {
            // Resets the statement and clears the last row's bindings; `execute()` then keeps the bindings made
            // here and runs with GRDB's bookkeeping (transaction observers see every insert). Were a later GRDB to
            // rebind its own, empty, arguments there, device, point, time and quality would all be NULL and the
            // batch would fail on NOT NULL: it could not store a row with a value lost.
            statement.setUncheckedArguments(StatementArguments())
            let value = reading.storedValue
            var code = reading.device.bind(to: handle, at: 1)  // 0 is SQLITE_OK
            if code == 0 { code = reading.point.bind(to: handle, at: 2) }
            if code == 0 { code = reading.storedTime.bind(to: handle, at: 3) }
            if code == 0 { code = value.number.bind(to: handle, at: 4) }
            if code == 0 { code = value.text.bind(to: handle, at: 5) }
            if code == 0 { code = reading.quality.rawValue.bind(to: handle, at: 6) }
            if code == 0 { code = reading.storedRaw.bind(to: handle, at: 7) }
            guard code == 0 else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: "binding a reading", sql: statement.sql)
            }
            try statement.execute()
        }
    }

    private static func upsert(_ summary: BatchSummary, in db: Database) throws {
        // Counts and sums add up; min and max combine, where SQLite's two-argument min()/max() would return NULL
        // as soon as one side is NULL (a minute without good values so far).
        let aggregate = try db.cachedStatement(
            sql: """
                INSERT INTO minute_aggregate (device, point, minute, "count", good_count, uncertain_count, bad_count,
                    stale_count, offline_count, value_count, "min", "max", "sum")
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (device, point, minute) DO UPDATE SET
                    "count" = "count" + excluded."count",
                    good_count = good_count + excluded.good_count,
                    uncertain_count = uncertain_count + excluded.uncertain_count,
                    bad_count = bad_count + excluded.bad_count,
                    stale_count = stale_count + excluded.stale_count,
                    offline_count = offline_count + excluded.offline_count,
                    value_count = value_count + excluded.value_count,
                    "min" = min(coalesce("min", excluded."min"), coalesce(excluded."min", "min")),
                    "max" = max(coalesce("max", excluded."max"), coalesce(excluded."max", "max")),
                    "sum" = "sum" + excluded."sum"
                """)
        for (key, delta) in summary.minutes {
            aggregate.setUncheckedArguments([
                key.series.device, key.series.point, key.minute, delta.count,
                delta.count(.good), delta.count(.uncertain), delta.count(.bad), delta.count(.stale),
                delta.count(.offline), delta.valueCount, delta.min, delta.max, delta.sum,
            ])
            try aggregate.execute()
        }

        // The newest reading and the newest good one, whichever order batches arrive in. Every right-hand side
        // sees the row as it was before this update.
        let latest = try db.cachedStatement(
            sql: """
                INSERT INTO point_latest (device, point, time, quality, good_time, good_value, good_value_text)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (device, point) DO UPDATE SET
                    time = max(time, excluded.time),
                    quality = CASE WHEN excluded.time >= time THEN excluded.quality ELSE quality END,
                    good_time = CASE WHEN excluded.good_time >= coalesce(good_time, excluded.good_time)
                        THEN excluded.good_time ELSE good_time END,
                    good_value = CASE WHEN excluded.good_time >= coalesce(good_time, excluded.good_time)
                        THEN excluded.good_value ELSE good_value END,
                    good_value_text = CASE WHEN excluded.good_time >= coalesce(good_time, excluded.good_time)
                        THEN excluded.good_value_text ELSE good_value_text END
                """)
        for (series, entry) in summary.latest {
            latest.setUncheckedArguments([
                series.device, series.point, entry.time, entry.quality.rawValue, entry.goodTime,
                entry.goodValue?.number, entry.goodValue?.text,
            ])
            try latest.execute()
        }
    }
}
