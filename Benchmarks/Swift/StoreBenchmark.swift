import Foundation
import GRDBSQLite
import Logging
import StockpileDomain
import StockpileStore

/// Issue 4 §7: readings per second through the store's batch writer, against a raw sqlite3 C-API loop inserting
/// the same rows into the same schema and file settings, in the same run.
///
/// The rate depends on how many points share a batch: each batch rewrites the index leaf at the tail of every
/// point's `(device, point, time)` range, so 1,000 points × 10 readings costs far more than 100 points × 100.
/// Both are measured; the goal is judged on the first, the bigger site.
enum StoreBenchmark {
    static let batchSize = 10_000
    static let points = ["gross", "net", "tare", "stable"]

    static func run(seconds: Double, rounds: Int) async throws {
        let batchCount = max(10, Int(seconds * 25))
        print(
            "== Store ingest: \(batchCount) batches of \(batchSize) readings into a WAL file with its indexes, "
                + "synchronous=FULL ==")
        for devices in [250, 25] {
            try await run(devices: devices, batchCount: batchCount, rounds: rounds, judged: devices == 250)
        }
        print(
            "(medians of \(rounds) alternating rounds, \(batchCount * batchSize) readings each into a new file; "
                + "\"of CPU\" divides by the process's CPU time, which a busy machine disturbs less than the clock)")
    }

    static func run(devices: Int, batchCount: Int, rounds: Int, judged: Bool) async throws {
        let batches = makeBatches(count: batchCount, devices: devices)
        // The reference gets each batch already in index order, as the writer inserts it (its sort is timed).
        let rows = batches.map { batch in
            batch.map(ReferenceRow.init).sorted { ($0.device, $0.point, $0.time) < ($1.device, $1.point, $1.time) }
        }
        var writerRates: [Rate] = []
        var referenceRates: [Rate] = []
        for _ in 0..<rounds {
            referenceRates.append(try await withScratchFile { try await referenceRate(rows, path: $0) })
            writerRates.append(try await withScratchFile { try await writerRate(batches, path: $0) })
        }
        let reference = Rate.medianOf(referenceRates)
        let writer = Rate.medianOf(writerRates)
        let pointCount = devices * points.count
        print("\(pointCount) points, \(batchSize / pointCount) readings per point per batch:")
        print(
            "  raw sqlite3 C loop: prepared INSERT, 1 txn/batch   \(formatReadings(reference.wall))   "
                + "(\(formatReadings(reference.cpu)) of CPU)")
        print(
            "  ReadingWriter: append + flush                      \(formatReadings(writer.wall))   "
                + "(\(formatReadings(writer.cpu)) of CPU)")
        let goal = judged ? "   goal ≥ 200,000 readings/s: " + (writer.wall >= 200_000 ? "met" : "NOT met") : ""
        print(
            "  ratio \(String(format: "%.3f", writer.wall / reference.wall)) "
                + "(CPU: \(String(format: "%.3f", writer.cpu / reference.cpu)))\(goal)")
    }

    /// Readings per second of wall-clock time, and per second of this process's CPU time (user + system).
    struct Rate {
        var wall: Double
        var cpu: Double

        static func medianOf(_ rates: [Rate]) -> Rate {
            Rate(wall: median(rates.map(\.wall)), cpu: median(rates.map(\.cpu)))
        }

        /// Runs `body`, which writes `readings`, and measures both clocks around it.
        static func measure(readings: Int, _ body: () async throws -> Void) async rethrows -> Rate {
            let cpuBefore = processCPUTime()
            let started = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - started
            return Rate(
                wall: Double(readings) / elapsed.seconds, cpu: Double(readings) / (processCPUTime() - cpuBefore))
        }

        static func processCPUTime() -> Double {
            var now = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
            return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        }
    }

    /// `devices` scales × 4 points read once a second: a batch of 10k readings is 10 s of a 250-scale site, 100 s
    /// of a 25-scale one. The writer adds to each batch the minute aggregates and latest values of its points.
    /// Values move, 5 % of weights are uncertain (in motion), `stable` is a bool; numbers carry 2 raw registers,
    /// bools 1.
    static func makeBatches(count: Int, devices: Int) -> [[Reading]] {
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        let perSecond = devices * points.count
        let secondsPerBatch = batchSize / perSecond
        return (0..<count).map { batch in
            var readings: [Reading] = []
            readings.reserveCapacity(batchSize)
            for second in 0..<secondsPerBatch {
                let elapsed = batch * secondsPerBatch + second
                let time = start.addingTimeInterval(Double(elapsed))
                for device in 0..<devices {
                    let name = "scale-\(device)"
                    let weight = 1_000 + Double((device * 37 + elapsed) % 200) / 10
                    let moving = (device + elapsed) % 20 == 0
                    for point in points {
                        let value: PointValue =
                            point == "stable" ? .bool(!moving) : .number(point == "tare" ? 12 : weight)
                        let raw: [UInt16] = point == "stable" ? [moving ? 0 : 1] : [0x447A, UInt16(elapsed & 0xFFFF)]
                        readings.append(
                            Reading(
                                device: name, point: point, time: time, value: value,
                                quality: moving && point != "stable" ? .uncertain : .good, raw: raw))
                    }
                }
            }
            return readings
        }
    }

    static func writerRate(_ batches: [[Reading]], path: String) async throws -> Rate {
        let database = try AppDatabase.open(path: path)
        let writer = ReadingWriter(database: database, logger: Logger(label: "stockpile-bench.store"))
        let rate = try await Rate.measure(readings: batches.count * batchSize) {
            for batch in batches {
                await writer.append(batch)
                try await writer.flush()
            }
        }
        let written = await writer.flushedReadingCount
        precondition(written == batches.count * batchSize)
        return rate
    }

    /// One row as the reference binds it, converted before the clock starts.
    struct ReferenceRow {
        var device: String
        var point: String
        var time: Int64
        var number: Double?
        var text: String?
        var quality: String
        var raw: [UInt8]

        init(_ reading: Reading) {
            device = reading.device
            point = reading.point
            time = Int64((reading.time.timeIntervalSince1970 * 1000).rounded())
            switch reading.value {
            case .number(let value): number = value
            case .bool(let flag): (number, text) = (flag ? 1 : 0, flag ? "true" : "false")
            case .text(let value): text = value
            case nil: break
            }
            quality = reading.quality.rawValue
            raw = reading.raw.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        }
    }

    /// The ceiling: the same rows into the same table (created by the store's migrations, so the same index),
    /// WAL and synchronous=FULL, one prepared statement, one transaction per batch, nothing else.
    static func referenceRate(_ batches: [[ReferenceRow]], path: String) async throws -> Rate {
        _ = try AppDatabase.open(path: path)  // the schema; the pool closes when this value goes
        var connection: OpaquePointer?
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db = connection else {
            throw BenchmarkError("sqlite3_open_v2 failed on \(path)")
        }
        defer { sqlite3_close_v2(db) }
        try execute(db, "PRAGMA journal_mode = WAL")
        for pragma in AppDatabase.writerPragmas {
            try execute(db, pragma)
        }
        var prepared: OpaquePointer?
        let sql =
            "INSERT INTO reading (device, point, time, value, value_text, quality, raw) VALUES (?, ?, ?, ?, ?, ?, ?)"
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil) == SQLITE_OK,
            let statement = prepared
        else { throw BenchmarkError("prepare: \(String(cString: sqlite3_errmsg(db)))") }
        defer { sqlite3_finalize(statement) }
        // SQLITE_TRANSIENT is a macro Swift cannot import: SQLite copies the bound bytes.
        let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

        return try await Rate.measure(readings: batches.count * batchSize) {
            for batch in batches {
                try execute(db, "BEGIN IMMEDIATE")
                for row in batch {
                    sqlite3_bind_text(statement, 1, row.device, -1, transient)
                    sqlite3_bind_text(statement, 2, row.point, -1, transient)
                    sqlite3_bind_int64(statement, 3, row.time)
                    if let number = row.number {
                        sqlite3_bind_double(statement, 4, number)
                    } else {
                        sqlite3_bind_null(statement, 4)
                    }
                    if let text = row.text {
                        sqlite3_bind_text(statement, 5, text, -1, transient)
                    } else {
                        sqlite3_bind_null(statement, 5)
                    }
                    sqlite3_bind_text(statement, 6, row.quality, -1, transient)
                    if row.raw.isEmpty {
                        sqlite3_bind_null(statement, 7)
                    } else {
                        _ = row.raw.withUnsafeBytes {
                            sqlite3_bind_blob(statement, 7, $0.baseAddress, Int32($0.count), transient)
                        }
                    }
                    guard sqlite3_step(statement) == SQLITE_DONE else {
                        throw BenchmarkError("insert: \(String(cString: sqlite3_errmsg(db)))")
                    }
                    sqlite3_reset(statement)
                }
                try execute(db, "COMMIT")
            }
        }
    }

    static func execute(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw BenchmarkError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    /// A new file in a new temporary directory, removed afterwards with its -wal and -shm.
    static func withScratchFile<T>(_ body: (String) async throws -> T) async rethrows -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockpile-bench-store-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(directory + "/store.sqlite")
    }

    static func formatReadings(_ rate: Double) -> String {
        String(format: "%9.0f readings/s", rate)
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
