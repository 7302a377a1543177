import Foundation
import GRDB
import StockpileDomain
import Testing

@testable import StockpileStore

@Suite("Migration v2: series ids")
struct MigrationTests {
    /// A store as v1 left it: two series of readings, their aggregates and latest values, one health event.
    static func makeV1Store(at path: String) throws {
        let pool = try DatabasePool(path: path)
        try AppDatabase.migrator.migrate(pool, upTo: "v1")
        let minute = StoreTime.milliseconds(noon)
        try pool.write { db in
            let rows: [StatementArguments] = [
                [7, "scale-1", "gross", minute + 1_000, 12.5, nil, "good", Data([0x44, 0x7A, 0, 1])],
                [8, "scale-1", "gross", minute + 2_000, 13.5, nil, "uncertain", nil],
                [9, "scale-1", "stable", minute + 1_000, 1.0, "true", "good", Data([0, 1])],
                [10, "scale-1", "gross", minute + 3_000, nil, "OL", "bad", nil],
                [11, "scale-1", "gross", minute + 4_000, nil, nil, "stale", nil],
                [12, "th-1", "humidity", minute + 5_000, nil, nil, "offline", nil],
            ]
            for row in rows {
                try db.execute(
                    sql: """
                        INSERT INTO reading (id, device, point, time, value, value_text, quality, raw)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: row)
            }
            try db.execute(
                sql: """
                    INSERT INTO minute_aggregate (device, point, minute, "count", good_count, uncertain_count,
                        bad_count, stale_count, offline_count, value_count, "min", "max", "sum")
                    VALUES ('scale-1', 'gross', ?, 4, 1, 1, 1, 1, 0, 1, 12.5, 12.5, 12.5),
                        ('scale-1', 'stable', ?, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1),
                        ('th-1', 'humidity', ?, 1, 0, 0, 0, 0, 1, 0, NULL, NULL, 0)
                    """,
                arguments: [minute, minute, minute])
            try db.execute(
                sql: """
                    INSERT INTO point_latest (device, point, time, quality, good_time, good_value, good_value_text)
                    VALUES ('scale-1', 'gross', ?, 'stale', ?, 12.5, NULL),
                        ('scale-1', 'stable', ?, 'good', ?, 1, 'true'),
                        ('th-1', 'humidity', ?, 'offline', NULL, NULL, NULL)
                    """,
                arguments: [minute + 4_000, minute + 1_000, minute + 1_000, minute + 1_000, minute + 5_000])
            try db.execute(
                sql: """
                    INSERT INTO device_health_event (device, time, from_state, to_state, reason)
                    VALUES ('th-1', ?, 'online', 'offline', '3 timeouts')
                    """,
                arguments: [minute + 5_000])
        }
    }

    @Test("a v1 store with rows migrates to v2 and keeps its readings, ids, aggregates, latest values and events")
    func migratesV1Data() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/stockpile.sqlite"
            try Self.makeV1Store(at: path)

            let database = try AppDatabase.open(path: path)
            #expect(try await database.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6"])
            #expect(try await database.integrityCheck() == ["ok"])
            #expect(try await database.count("SELECT count(*) FROM series") == 3)

            let scale = try await database.readings(device: "scale-1", since: .distantPast)
            #expect(scale.map(\.id) == [7, 9, 8, 10, 11])
            #expect(scale.map(\.point) == ["gross", "stable", "gross", "gross", "gross"])
            #expect(scale.map(\.time) == [at(1), at(1), at(2), at(3), at(4)])
            #expect(scale.map(\.value) == [.number(12.5), .bool(true), .number(13.5), .text("OL"), nil])
            #expect(scale.map(\.quality) == [.good, .good, .uncertain, .bad, .stale])
            #expect(scale.map(\.raw) == [[0x447A, 0x0001], [0x0001], [], [], []])
            let humidity = try await database.readings(device: "th-1", point: "humidity", since: .distantPast)
            #expect(humidity.map(\.quality) == [.offline])
            #expect(humidity.first?.id == 12)

            let gross = try #require(
                try await database.minuteAggregates(device: "scale-1", point: "gross", since: .distantPast).first)
            #expect(gross.minute == noon)
            #expect(gross.count == 4 && gross.goodCount == 1 && gross.uncertainCount == 1 && gross.badCount == 1)
            #expect(gross.staleCount == 1 && gross.valueCount == 1 && gross.mean == 12.5)

            let status = try await database.status(now: at(60))
            #expect(status.map(\.device) == ["scale-1", "th-1"])
            #expect(status[0].points.map(\.point) == ["gross", "stable"])
            #expect(status[0].points[0].quality == .stale)
            #expect(status[0].points[0].goodValue == .number(12.5))
            #expect(status[0].points[1].goodValue == .bool(true))
            #expect(status[1].health?.to == .offline)
            #expect(status[1].recentOfflineCount == 1)

            // The writer carries on in the migrated series: no new series, the minute's aggregate merges.
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append(reading(at(30), .number(14.5)))
            try await writer.flush()
            #expect(try await database.count("SELECT count(*) FROM series") == 3)
            let merged = try #require(
                try await database.minuteAggregates(device: "scale-1", point: "gross", since: .distantPast).first)
            #expect(merged.count == 5 && merged.valueCount == 2 && merged.mean == 13.5)
            let newest = try await database.readings(device: "scale-1", point: "gross", since: at(30))
            #expect(newest.map(\.value) == [.number(14.5)])
            #expect((newest.first?.id ?? 0) > 12)  // ids keep growing past the migrated ones
        }
    }

    @Test("a v1 store holding a quality this build does not know fails the migration instead of guessing")
    func unknownQualityFails() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/stockpile.sqlite"
            try Self.makeV1Store(at: path)
            try await DatabaseQueue(path: path).write { db in
                try db.execute(sql: "UPDATE reading SET quality = 'mystery' WHERE id = 7")
            }
            #expect(throws: DatabaseError.self) { try AppDatabase.open(path: path) }
            // Nothing half-done: the file is still a v1 store with its rows.
            let rows = try await DatabaseQueue(path: path).read { db in
                (
                    try AppDatabase.migrator.appliedMigrations(db),
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM reading WHERE device = 'scale-1'")
                )
            }
            #expect(rows.0 == ["v1"])
            #expect(rows.1 == 5)
        }
    }

    @Test("series ids are stable: a reading inserted as a record and one written in a batch share their series")
    func recordInsertSharesSeries() async throws {
        try await withFileStore { database, _ in
            try await database.writer.write { db in
                var record = reading(at(0), .number(1))
                try record.insert(db)
            }
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append([reading(at(1), .number(2)), reading("scale-1", "net", at(1))])
            try await writer.flush()
            #expect(try await database.count("SELECT count(*) FROM series") == 2)
            let fetched = try await database.reader.read { db in try Reading.fetchAll(db) }
            #expect(fetched.map(\.point).sorted() == ["gross", "gross", "net"])
            let gross = try await database.readings(device: "scale-1", point: "gross", since: .distantPast)
            #expect(gross.map(\.value) == [.number(1), .number(2)])
        }
    }
}
