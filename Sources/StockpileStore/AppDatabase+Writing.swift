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
        let seriesCache = self.seriesCache
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writer.asyncWrite(
                { db -> [SeriesKey: Int64] in
                    let (series, learned) = try seriesCache.resolve(batch, in: db)
                    let order = BatchSummary.insertionOrder(batch, series: series)
                    try AppDatabase.insert(batch, series: series, order: order, in: db)
                    try AppDatabase.upsert(BatchSummary(batch, series: series, order: order), in: db)
                    for var event in healthEvents {
                        try event.insert(db)
                    }
                    return learned
                },
                completion: { _, result in
                    // Committed: the new series ids are now safe to reuse.
                    if case .success(let learned) = result { seriesCache.remember(learned) }
                    continuation.resume(with: result.map { _ in })
                })
        }
    }

    /// Readings per multi-row INSERT in the batch writer: GRDB's and SQLite's per-statement work (observer
    /// bookkeeping, reset, the VDBE's start and halt) is paid once per chunk instead of once per reading.
    /// 6 × 64 = 384 parameters, far below SQLite's limit. Public for the benchmark's reference loop.
    public static let insertChunk = 64

    private static func insert(_ readings: [Reading], series: [Int64], order: [Int], in db: Database) throws {
        let row = "(?, ?, ?, ?, ?, ?)"
        let head = "INSERT INTO reading (series, time, value, value_text, quality, raw) VALUES "
        let chunked = try db.cachedStatement(
            sql: head + Array(repeating: row, count: insertChunk).joined(separator: ", "))
        let single = try db.cachedStatement(sql: head + row)

        var start = 0
        while start < order.count {
            let statement = order.count - start >= insertChunk ? chunked : single
            let count = statement === chunked ? insertChunk : 1
            // Resets the statement and clears the last bindings; `execute()` then keeps the bindings made here and
            // runs with GRDB's bookkeeping (transaction observers see every insert). Were a later GRDB to rebind its
            // own, empty, arguments there, series, time and quality would all be NULL and the batch would fail on
            // NOT NULL: it could not store a row with a value lost.
            statement.setUncheckedArguments(StatementArguments())
            let handle = statement.sqliteStatement
            var parameter: Int32 = 1
            for index in order[start..<start + count] {
                let reading = readings[index]
                let value = reading.storedValue
                var code = series[index].bind(to: handle, at: parameter)  // 0 is SQLITE_OK
                if code == 0 { code = reading.storedTime.bind(to: handle, at: parameter + 1) }
                if code == 0 { code = value.number.bind(to: handle, at: parameter + 2) }
                if code == 0 { code = value.text.bind(to: handle, at: parameter + 3) }
                if code == 0 { code = reading.quality.storeCode.bind(to: handle, at: parameter + 4) }
                if code == 0 { code = reading.storedRaw.bind(to: handle, at: parameter + 5) }
                guard code == 0 else {
                    throw DatabaseError(
                        resultCode: ResultCode(rawValue: code), message: "binding a reading", sql: statement.sql)
                }
                parameter += 6
            }
            try statement.execute()
            start += count
        }
    }

    private static func upsert(_ summary: BatchSummary, in db: Database) throws {
        // Counts and sums add up; min and max combine, where SQLite's two-argument min()/max() would return NULL
        // as soon as one side is NULL (a minute without good values so far).
        let aggregate = try db.cachedStatement(
            sql: """
                INSERT INTO minute_aggregate (series, minute, "count", good_count, uncertain_count, bad_count,
                    stale_count, offline_count, value_count, "min", "max", "sum")
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (series, minute) DO UPDATE SET
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
                key.series, key.minute, delta.count,
                delta.count(.good), delta.count(.uncertain), delta.count(.bad), delta.count(.stale),
                delta.count(.offline), delta.valueCount, delta.min, delta.max, delta.sum,
            ])
            try aggregate.execute()
        }

        // The newest reading and the newest good one, whichever order batches arrive in. Every right-hand side
        // sees the row as it was before this update.
        let latest = try db.cachedStatement(
            sql: """
                INSERT INTO point_latest (series, time, quality, good_time, good_value, good_value_text)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (series) DO UPDATE SET
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
                series, entry.time, entry.quality.storeCode, entry.goodTime,
                entry.goodValue?.number, entry.goodValue?.text,
            ])
            try latest.execute()
        }
    }
}
