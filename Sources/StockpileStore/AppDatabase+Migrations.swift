import GRDB

// The schema, as an append-only list of named migrations. A migration that has landed is never edited:
// a change is a new migration ("v2", …) appended below, which every store applies once, in order.
//
// All times are UTC integer milliseconds since 1970 (see `StoreTime`). Table and column names are snake_case so
// that they read naturally in the `sqlite3` shell and in the SQL of later exporters.
//
// Room left for later issues — their tables are NOT created here, each issue appends its own migration:
// - Ledger and reconciliation: landed in `v3` (materials, locations, lots, the chained `ledger_transaction`,
//   `physical_count`) and `v4` (`movement_event`). Reports are computed, not stored.
// - Alerts: landed in `v6` (`alert`, one row per occurrence with its whole value as JSON; the append-only
//   `alert_event`, every transition with who and why; `silence`; `alert_request`, the CLI's acknowledgements
//   for a running agent; `notifier_state` and `notifier_delivery`, each receiver's planner and counters).
// - Audit trail: a hash chain over the ledger and alert tables, plus the anchors signed reports refer to.
// - Store-and-forward to a central PostgreSQL: a cursor per destination over `reading.id`, which only grows.
extension AppDatabase {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1") { db in
            // One row per reading. `id` is the rowid (no AUTOINCREMENT: it would cost a sqlite_sequence update
            // per row); it only grows, since retention never deletes the newest rows. `quality` has no CHECK:
            // a new quality in the domain must not need a rebuild of a month of readings.
            try db.create(table: "reading") { t in
                t.primaryKey("id", .integer)
                t.column("device", .text).notNull()
                t.column("point", .text).notNull()
                t.column("time", .integer).notNull()
                t.column("value", .double)
                t.column("value_text", .text)
                t.column("quality", .text).notNull()
                t.column("raw", .blob)
            }
            // Serves `readings(device:point:since:)`, `status()` and retention, which deletes per point.
            try db.create(index: "reading_device_point_time", on: "reading", columns: ["device", "point", "time"])

            // Per point and UTC minute: counts per quality, and min/max/sum over good numeric values.
            try db.create(table: "minute_aggregate", options: [.withoutRowID]) { t in
                t.column("device", .text).notNull()
                t.column("point", .text).notNull()
                t.column("minute", .integer).notNull()
                t.column("count", .integer).notNull()
                t.column("good_count", .integer).notNull()
                t.column("uncertain_count", .integer).notNull()
                t.column("bad_count", .integer).notNull()
                t.column("stale_count", .integer).notNull()
                t.column("offline_count", .integer).notNull()
                t.column("value_count", .integer).notNull()
                t.column("min", .double)
                t.column("max", .double)
                t.column("sum", .double).notNull()
                // SQLite divides by zero to NULL: no mean without a good value.
                t.column("mean", .double).generatedAs(sql: #""sum" / "value_count""#)
                t.primaryKey(["device", "point", "minute"])
            }

            // Every transition of a device's health.
            try db.create(table: "device_health_event") { t in
                t.primaryKey("id", .integer)
                t.column("device", .text).notNull()
                t.column("time", .integer).notNull()
                t.column("from_state", .text)
                t.column("to_state", .text).notNull()
                t.column("reason", .text).notNull()
            }
            try db.create(
                index: "device_health_event_device_time", on: "device_health_event", columns: ["device", "time"])

            // Every series seen, with its newest reading and newest good reading.
            try db.create(table: "point_latest", options: [.withoutRowID]) { t in
                t.column("device", .text).notNull()
                t.column("point", .text).notNull()
                t.column("time", .integer).notNull()
                t.column("quality", .text).notNull()
                t.column("good_time", .integer)
                t.column("good_value", .double)
                t.column("good_value_text", .text)
                t.primaryKey(["device", "point"])
            }
        }

        migrator.registerMigration("v2") { db in
            // Issue 4: the batch writer must take 200,000 readings/s. v1 repeated the device and point names in every
            // reading and in every entry of its index, and the quality as text. v2 names each series once, in
            // `series`, and keys readings, minute aggregates and latest values by its integer id: rows and index
            // entries shrink to a few bytes, and the writer binds integers instead of strings.
            //
            // A series row is never deleted, not even by retention: its id stays valid for as long as any process
            // (the agent's writer) caches it.
            try db.create(table: "series") { t in
                t.primaryKey("id", .integer)
                t.column("device", .text).notNull()
                t.column("point", .text).notNull()
                t.uniqueKey(["device", "point"])
            }
            try db.execute(
                sql: """
                    INSERT INTO series (device, point)
                    SELECT device, point FROM reading
                    UNION SELECT device, point FROM minute_aggregate
                    UNION SELECT device, point FROM point_latest
                    ORDER BY device, point
                    """)

            // The quality as a small integer (see `ReadingQuality.storeCode`), still without a CHECK so that a new
            // quality needs no rebuild. A v1 quality this build does not know maps to NULL and fails the migration
            // on NOT NULL rather than land as a wrong quality.
            let qualityCode = """
                CASE quality WHEN 'good' THEN 0 WHEN 'uncertain' THEN 1 WHEN 'bad' THEN 2 WHEN 'stale' THEN 3 \
                WHEN 'offline' THEN 4 END
                """

            // `series` has no REFERENCES clause: SQLite would look the id up for every inserted reading, and the
            // writer only ever binds ids it read from `series`, whose rows are never deleted.
            try db.create(table: "reading_v2") { t in
                t.primaryKey("id", .integer)
                t.column("series", .integer).notNull()
                t.column("time", .integer).notNull()
                t.column("value", .double)
                t.column("value_text", .text)
                t.column("quality", .integer).notNull()
                t.column("raw", .blob)
            }
            // Row ids are kept: later store-and-forward cursors over `reading.id` stay valid.
            try db.execute(
                sql: """
                    INSERT INTO reading_v2 (id, series, time, value, value_text, quality, raw)
                    SELECT r.id, s.id, r.time, r.value, r.value_text, \(qualityCode), r.raw
                    FROM reading AS r JOIN series AS s ON s.device = r.device AND s.point = r.point
                    ORDER BY r.id
                    """)
            try db.drop(table: "reading")
            try db.rename(table: "reading_v2", to: "reading")
            // Serves `readings(device:point:since:)` and retention, which deletes per series.
            try db.create(index: "reading_series_time", on: "reading", columns: ["series", "time"])

            try db.create(table: "minute_aggregate_v2", options: [.withoutRowID]) { t in
                t.column("series", .integer).notNull()
                t.column("minute", .integer).notNull()
                t.column("count", .integer).notNull()
                t.column("good_count", .integer).notNull()
                t.column("uncertain_count", .integer).notNull()
                t.column("bad_count", .integer).notNull()
                t.column("stale_count", .integer).notNull()
                t.column("offline_count", .integer).notNull()
                t.column("value_count", .integer).notNull()
                t.column("min", .double)
                t.column("max", .double)
                t.column("sum", .double).notNull()
                t.column("mean", .double).generatedAs(sql: #""sum" / "value_count""#)
                t.primaryKey(["series", "minute"])
            }
            try db.execute(
                sql: """
                    INSERT INTO minute_aggregate_v2 (series, minute, "count", good_count, uncertain_count, bad_count,
                        stale_count, offline_count, value_count, "min", "max", "sum")
                    SELECT s.id, a.minute, a."count", a.good_count, a.uncertain_count, a.bad_count, a.stale_count,
                        a.offline_count, a.value_count, a."min", a."max", a."sum"
                    FROM minute_aggregate AS a JOIN series AS s ON s.device = a.device AND s.point = a.point
                    """)
            try db.drop(table: "minute_aggregate")
            try db.rename(table: "minute_aggregate_v2", to: "minute_aggregate")

            try db.create(table: "point_latest_v2") { t in
                t.primaryKey("series", .integer)
                t.column("time", .integer).notNull()
                t.column("quality", .integer).notNull()
                t.column("good_time", .integer)
                t.column("good_value", .double)
                t.column("good_value_text", .text)
            }
            try db.execute(
                sql: """
                    INSERT INTO point_latest_v2 (series, time, quality, good_time, good_value, good_value_text)
                    SELECT s.id, p.time, \(qualityCode), p.good_time, p.good_value, p.good_value_text
                    FROM point_latest AS p JOIN series AS s ON s.device = p.device AND s.point = p.point
                    """)
            try db.drop(table: "point_latest")
            try db.rename(table: "point_latest_v2", to: "point_latest")
        }

        // The ledger (issue 10). Reference data (materials, locations, lots) is written by imports;
        // `ledger_transaction` is append-only and chained: each row keeps the previous row's hash and its
        // own, SHA-256 over the previous hash and its canonical content (`LedgerChain`). Triggers refuse
        // UPDATE and DELETE through SQL, so only someone who drops them can edit, and `ledger verify` then
        // names the first entry that no longer matches. Counts are kept the same way, without a chain.
        migrator.registerMigration("v3") { db in
            try db.create(table: "material") { t in
                t.primaryKey("code", .text)
                t.column("name", .text).notNull()
                t.column("hygroscopic", .boolean).notNull()
                t.column("humidity_limit", .double)
                t.column("moisture_allowance_percent", .double).notNull()
            }
            // The site file's locations as of the last import: the site file stays the source.
            try db.create(table: "location") { t in
                t.primaryKey("name", .text)
                t.column("kind", .text).notNull()
                t.column("zone", .text)
                t.column("device", .text)
                t.column("capacity", .double).notNull()
                t.column("division", .double).notNull()
                t.column("accuracy_class", .text).notNull()
            }
            try db.create(table: "lot") { t in
                t.primaryKey("id", .text)
                t.column("material", .text).notNull()
                t.column("location", .text).notNull()
                t.column("container_kind", .text).notNull()
                t.column("container_count", .integer).notNull()
                t.column("tare_per_container", .double).notNull()
            }
            try db.create(table: "ledger_transaction") { t in
                t.primaryKey("sequence", .integer)
                t.column("kind", .text).notNull()
                t.column("time", .integer).notNull()
                t.column("lot", .text).notNull()
                t.column("location", .text).notNull()
                t.column("destination", .text)
                t.column("quantity", .double).notNull()
                t.column("actor", .text).notNull()
                t.column("document", .text).notNull().unique()
                t.column("comment", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("approver", .text).notNull()
                t.column("previous_hash", .blob).notNull()
                t.column("hash", .blob).notNull()
            }
            try db.create(
                index: "ledger_transaction_on_location_time", on: "ledger_transaction", columns: ["location", "time"])
            try db.create(index: "ledger_transaction_on_lot_time", on: "ledger_transaction", columns: ["lot", "time"])
            try db.create(table: "physical_count") { t in
                t.primaryKey("id", .integer)
                t.column("location", .text).notNull()
                t.column("time", .integer).notNull()
                t.column("kilograms", .double).notNull()
                t.column("counter", .text).notNull()
                t.column("document", .text).notNull().unique()
                t.column("comment", .text).notNull()
            }
            for table in ["ledger_transaction", "physical_count"] {
                for action in ["UPDATE", "DELETE"] {
                    try db.execute(
                        sql: """
                            CREATE TRIGGER \(table)_no_\(action.lowercased()) BEFORE \(action) ON \(table)
                            BEGIN SELECT RAISE(ABORT, '\(table) is append-only: record a correction instead'); END
                            """)
                }
            }
        }

        // Weight changes the ledger does not explain (issue 10, §4), kept for the alerts to come. One row
        // per (location, kind, start): detecting the same span again adds nothing. `cleared_at` and
        // `cleared_by` are set once a transaction recorded later explains the change.
        migrator.registerMigration("v4") { db in
            try db.create(table: "movement_event") { t in
                t.primaryKey("id", .integer)
                t.column("kind", .text).notNull()
                t.column("location", .text).notNull()
                t.column("device", .text).notNull()
                t.column("start", .integer).notNull()
                t.column("end", .integer).notNull()
                t.column("change_kg", .double).notNull()
                t.column("level_before_kg", .double).notNull()
                t.column("level_after_kg", .double).notNull()
                t.column("tolerance_kg", .double).notNull()
                t.column("readings", .integer).notNull()
                t.column("expected_kg", .double).notNull()
                t.column("humidity_hours_above", .double)
                t.column("detected_at", .integer).notNull()
                t.column("cleared_at", .integer)
                t.column("cleared_by", .text)
                t.uniqueKey(["location", "kind", "start"])
            }
        }

        // The ledger's two composite indexes of v3 served no query: the ledger is read in sequence order
        // (the table itself), a report's cut-off and a count's book scan it. Each index made every imported
        // transaction update another B-tree, at a place its time or lot put it; without them an import of
        // 200,000 rows spends about a third less in SQLite.
        migrator.registerMigration("v5") { db in
            try db.drop(index: "ledger_transaction_on_location_time")
            try db.drop(index: "ledger_transaction_on_lot_time")
        }

        // The alerts (issue 11). An `alert` row is one occurrence (the tracker's `Alert.id`): its `body` is the
        // whole `Alert` as JSON, history included, which is what the agent restores; the other columns are
        // copies of its fields for the queries (open alerts, a fingerprint's occurrences). Every transition is
        // also a row of `alert_event`, append-only like the ledger, and unique per alert, states and instant,
        // so saving the same transition twice records it once.
        migrator.registerMigration("v6") { db in
            try db.create(table: "alert") { t in
                t.primaryKey("id", .integer)
                t.column("fingerprint", .text).notNull()
                t.column("rule", .text).notNull()
                t.column("severity", .text).notNull()
                t.column("state", .text).notNull()
                t.column("starts_at", .integer)
                t.column("ends_at", .integer)
                t.column("updated_at", .integer).notNull()
                t.column("body", .text).notNull()
            }
            // Open alerts (`state` in pending, firing, acknowledged) and recently resolved ones (`ends_at`).
            try db.create(index: "alert_on_state_ends_at", on: "alert", columns: ["state", "ends_at"])
            try db.create(index: "alert_on_fingerprint", on: "alert", columns: ["fingerprint", "id"])

            try db.create(table: "alert_event") { t in
                t.primaryKey("id", .integer)
                t.column("alert_id", .integer).notNull()
                t.column("fingerprint", .text).notNull()
                t.column("rule", .text).notNull()
                t.column("from_state", .text).notNull()
                t.column("to_state", .text).notNull()
                t.column("at", .integer).notNull()
                t.column("value", .double)
                t.column("by", .text)
                t.column("comment", .text)
            }
            try db.create(
                index: "alert_event_once", on: "alert_event", columns: ["alert_id", "from_state", "to_state", "at"],
                options: [.unique])
            try db.create(index: "alert_event_on_at", on: "alert_event", columns: ["at"])
            for action in ["UPDATE", "DELETE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER alert_event_no_\(action.lowercased()) BEFORE \(action) ON alert_event
                        BEGIN SELECT RAISE(ABORT, 'alert_event is append-only: history is never edited'); END
                        """)
            }

            // `expired_at`, `expired_by`: a silence ended early, and who ended it. The row is kept, so who
            // silenced what, and for how long, stays on record.
            try db.create(table: "silence") { t in
                t.primaryKey("id", .text)
                t.column("matchers", .text).notNull()
                t.column("starts_at", .integer).notNull()
                t.column("ends_at", .integer).notNull()
                t.column("created_by", .text).notNull()
                t.column("comment", .text).notNull()
                t.column("created_at", .integer).notNull()
                t.column("expired_at", .integer)
                t.column("expired_by", .text)
            }
            try db.create(index: "silence_on_ends_at", on: "silence", columns: ["ends_at"])

            // Requests from the CLI to a running agent, which completes them: `outcome` NULL means accepted,
            // otherwise it is the refusal.
            try db.create(table: "alert_request") { t in
                t.primaryKey("id", .integer)
                t.column("kind", .text).notNull()
                t.column("alert_id", .integer).notNull()
                t.column("by", .text).notNull()
                t.column("comment", .text).notNull()
                t.column("requested_at", .integer).notNull()
                t.column("done_at", .integer)
                t.column("outcome", .text)
            }
            try db.create(index: "alert_request_on_done_at", on: "alert_request", columns: ["done_at"])

            // Each receiver's `NotificationPlanner` as JSON, and its delivery counters for `stockpile status`.
            try db.create(table: "notifier_state") { t in
                t.primaryKey("receiver", .text)
                t.column("planner", .text).notNull()
                t.column("updated_at", .integer).notNull()
            }
            try db.create(table: "notifier_delivery") { t in
                t.primaryKey("receiver", .text)
                t.column("sent", .integer).notNull()
                t.column("failed", .integer).notNull()
                t.column("last_success_at", .integer)
                t.column("last_failure_at", .integer)
                t.column("last_error", .text)
            }
        }

        return migrator
    }
}
