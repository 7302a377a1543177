import Foundation
import GRDB
import Testing

@testable import StockpileStore

@Suite("AppDatabase: file, WAL and migrations")
struct AppDatabaseTests {
    @Test("migrations apply on an empty file: v2's to v6's tables and the (series, time) index, WAL, synchronous FULL")
    func migratesAnEmptyFile() async throws {
        try await withFileStore { database, _ in
            #expect(try await database.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6"])
            let (tables, indexColumns, journalMode, synchronous) = try await database.writer.writeWithoutTransaction {
                db in
                (
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT name FROM sqlite_master
                            WHERE type = 'table' AND name NOT LIKE 'grdb_%' ORDER BY name
                            """),
                    try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info('reading_series_time')"),
                    try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    try Int.fetchOne(db, sql: "PRAGMA synchronous")
                )
            }
            #expect(
                tables == [
                    "alert", "alert_event", "alert_request", "device_health_event", "ledger_transaction", "location",
                    "lot", "material", "minute_aggregate", "movement_event", "notifier_delivery", "notifier_state",
                    "physical_count", "point_latest", "reading", "series", "silence",
                ])
            #expect(indexColumns == ["series", "time"])
            // v5: the ledger keeps only its unique document index (SQLite's own autoindex).
            let ledgerIndexes = try await database.writer.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_transaction'
                        AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name
                        """)
            }
            #expect(ledgerIndexes.isEmpty, "\(ledgerIndexes)")
            #expect(journalMode == "wal")
            #expect(synchronous == 2)  // FULL
        }
    }

    @Test("migrating again, or reopening the file, changes nothing and keeps the data")
    func migrationsAreIdempotent() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/stockpile.sqlite"
            do {
                let database = try AppDatabase.open(path: path)
                let writer = ReadingWriter(database: database, logger: testLogger)
                await writer.append(reading(noon))
                try await writer.flush()
                try AppDatabase.migrator.migrate(database.writer)
                #expect(try await database.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6"])
            }
            let reopened = try AppDatabase.open(path: path)
            #expect(try await reopened.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6"])
            #expect(try await reopened.readings(device: "scale-1", since: .distantPast).count == 1)
        }
    }

    @Test("a read-only open refuses a file that is missing or not migrated, and reads a migrated one")
    func readOnlyOpen() async throws {
        try await withTemporaryDirectory { directory in
            #expect(throws: StoreError.self) { try AppDatabase.openReadOnly(path: directory + "/none.sqlite") }

            let blank = directory + "/blank.sqlite"
            try await DatabaseQueue(path: blank).write { db in try db.execute(sql: "CREATE TABLE other (x)") }
            #expect(throws: StoreError.self) { try AppDatabase.openReadOnly(path: blank) }

            let path = directory + "/stockpile.sqlite"
            do {
                let database = try AppDatabase.open(path: path)
                let writer = ReadingWriter(database: database, logger: testLogger)
                await writer.append(reading(noon))
                try await writer.flush()
                // While the writer is open (the agent running)…
                let readOnly = try AppDatabase.openReadOnly(path: path)
                #expect(try await readOnly.readings(device: "scale-1", since: .distantPast).count == 1)
                await #expect(throws: DatabaseError.self) {
                    try await readOnly.prune(now: noon.addingTimeInterval(86_400 * 365), rawDays: 0, aggregateDays: 0)
                }
            }
            // …and after it closed the file (the agent stopped).
            let readOnly = try AppDatabase.openReadOnly(path: path)
            #expect(try await readOnly.readings(device: "scale-1", since: .distantPast).count == 1)
        }
    }
}
