import GRDB

// The schema, as an append-only list of named migrations. A migration that has landed is never edited:
// a change is a new migration ("v2", …) appended below, which every store applies once, in order.
//
// All times are UTC integer milliseconds since 1970 (see `StoreTime`). Table and column names are snake_case so
// that they read naturally in the `sqlite3` shell and in the SQL of later exporters.
//
// Room left for later issues — their tables are NOT created here, each issue appends its own migration:
// - Ledger and reconciliation: `location` (bay, bound scale, capacity, division, accuracy class, valid from),
//   `ledger_transaction` (receipt, issue, adjustment: location, lot, quantity, document, time, approved by) and
//   `reconciliation` with its evidence rows. Evidence copies the readings it used (device, point, time, value,
//   quality) instead of pointing at `reading.id`: raw readings are pruned after `rawDays`, evidence is not.
// - Alerts: `alert` (one per rule and subject, its state: pending, firing, resolved, no data), `alert_event`
//   (every transition, acknowledgements with who, when and comment) and `silence` (maintenance windows).
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

        return migrator
    }
}
