import Foundation
import GRDBSQLite
import Logging
import StockpileDomain
import StockpileStore

/// Issue 4 §7: readings per second through the store's batch writer, against a raw sqlite3 C-API loop inserting
/// the same rows into the same schema and file settings, in the same run.
///
/// The rate depends on how many points share a batch: each batch rewrites the index leaf at the tail of every
/// series' `(series, time)` range, so 1,000 points × 10 readings costs far more than 100 points × 100. And on the
/// batch size: the agent flushes every second, so at the goal rate a batch holds one second of it, 200,000
/// readings; 10,000-reading batches (10 s of a 250-scale site) are measured too, as the harder case. The goal is
/// judged on the 1,000-point site.
enum StoreBenchmark {
    static let goal = 200_000.0
    static let points = ["gross", "net", "tare", "stable"]

    static func run(seconds: Double, rounds: Int) async throws {
        print("== Store ingest into a WAL file with its indexes, synchronous=FULL ==")
        let shapes = [
            (batchSize: 10_000, batchCount: max(10, Int(seconds * 25)), note: "10,000-reading batches"),
            (
                batchSize: Int(goal), batchCount: max(3, Int(seconds * 2.5)),
                note: "200,000-reading batches: one 1 s flush interval at the goal rate"
            ),
        ]
        for shape in shapes {
            print("-- \(shape.batchCount) batches of \(shape.note) --")
            for devices in [250, 25] {
                try await run(
                    devices: devices, batchSize: shape.batchSize, batchCount: shape.batchCount, rounds: rounds,
                    judged: devices == 250)
            }
        }
        print(
            "(medians of \(rounds) alternating rounds, each into a new file; \"of CPU\" divides by the process's CPU "
                + "time, which a busy machine disturbs less than the clock)")
    }

    static func run(devices: Int, batchSize: Int, batchCount: Int, rounds: Int, judged: Bool) async throws {
        let batches = makeBatches(count: batchCount, batchSize: batchSize, devices: devices)
        // The reference gets its series ids, and each batch already in index order, before the clock starts; the
        // writer's series lookups and its sort are timed.
        var seriesIDs: [String: Int64] = [:]
        var seriesRows: [(device: String, point: String)] = []
        let rows = batches.map { batch in
            batch.map { reading in
                let name = reading.device + "\u{0}" + reading.point
                let id =
                    seriesIDs[name]
                    ?? {
                        seriesRows.append((reading.device, reading.point))
                        seriesIDs[name] = Int64(seriesRows.count)
                        return Int64(seriesRows.count)
                    }()
                return ReferenceRow(reading, series: id)
            }.sorted { ($0.series, $0.time) < ($1.series, $1.time) }
        }
        var writerRates: [Rate] = []
        var referenceRates: [Rate] = []
        var chunkedRates: [Rate] = []
        for _ in 0..<rounds {
            referenceRates.append(
                try await withScratchFile {
                    try await referenceRate(rows, series: seriesRows, batchSize: batchSize, rowsPerInsert: 1, path: $0)
                })
            chunkedRates.append(
                try await withScratchFile {
                    try await referenceRate(
                        rows, series: seriesRows, batchSize: batchSize, rowsPerInsert: AppDatabase.insertChunk,
                        path: $0)
                })
            writerRates.append(
                try await withScratchFile { try await writerRate(batches, batchSize: batchSize, path: $0) })
        }
        let reference = Rate.medianOf(referenceRates)
        let chunked = Rate.medianOf(chunkedRates)
        let writer = Rate.medianOf(writerRates)
        let pointCount = devices * points.count
        print("\(pointCount) points, \(batchSize / pointCount) readings per point per batch:")
        print(
            "  raw sqlite3 C loop: prepared INSERT, 1 txn/batch   \(formatReadings(reference.wall))   "
                + "(\(formatReadings(reference.cpu)) of CPU)")
        print(
            "  the same, \(AppDatabase.insertChunk) rows per INSERT (as the writer)        \(formatReadings(chunked.wall))   "
                + "(\(formatReadings(chunked.cpu)) of CPU)")
        print(
            "  ReadingWriter: append + flush                      \(formatReadings(writer.wall))   "
                + "(\(formatReadings(writer.cpu)) of CPU)")
        print(
            "    runs: writer \(formatRuns(writerRates)); reference \(formatRuns(referenceRates)); "
                + "\(AppDatabase.insertChunk)-row reference \(formatRuns(chunkedRates))")
        let verdict = writer.wall >= goal ? "met" : "NOT met"
        let goalText = judged ? "   goal ≥ 200,000 readings/s: \(verdict)" : ""
        print(
            "  ratio \(String(format: "%.3f", writer.wall / reference.wall)) "
                + "(CPU: \(String(format: "%.3f", writer.cpu / reference.cpu)))\(goalText)")
        print(
            "  ratio to the \(AppDatabase.insertChunk)-row reference "
                + "\(String(format: "%.3f", writer.wall / chunked.wall)) "
                + "(CPU: \(String(format: "%.3f", writer.cpu / chunked.cpu)))")
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
    static func makeBatches(count: Int, batchSize: Int, devices: Int) -> [[Reading]] {
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

    static func writerRate(_ batches: [[Reading]], batchSize: Int, path: String) async throws -> Rate {
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
        var series: Int64
        var time: Int64
        var number: Double?
        var text: String?
        var quality: Int32
        var raw: [UInt8]

        /// The quality codes of migration v2 (`ReadingQuality.storeCode`).
        static let qualityCodes: [ReadingQuality: Int32] = [.good: 0, .uncertain: 1, .bad: 2, .stale: 3, .offline: 4]

        init(_ reading: Reading, series: Int64) {
            self.series = series
            time = Int64((reading.time.timeIntervalSince1970 * 1000).rounded())
            switch reading.value {
            case .number(let value): number = value
            case .bool(let flag): (number, text) = (flag ? 1 : 0, flag ? "true" : "false")
            case .text(let value): text = value
            case nil: break
            }
            quality = ReferenceRow.qualityCodes[reading.quality]!
            raw = reading.raw.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        }
    }

    /// The ceiling: the same rows into the same table (created by the store's migrations, so the same index),
    /// WAL and the writer's pragmas, one prepared INSERT, one transaction per batch, nothing else: no series
    /// lookups (its `series` rows are written before the clock), no aggregates, no latest values.
    ///
    /// `rowsPerInsert` 1 is the plain loop; the writer's chunk size gives the ceiling for its multi-row INSERT (a
    /// batch's tail that does not fill a chunk goes row by row, as in the writer).
    static func referenceRate(
        _ batches: [[ReferenceRow]], series: [(device: String, point: String)], batchSize: Int, rowsPerInsert: Int,
        path: String
    ) async throws -> Rate {
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
        // SQLITE_TRANSIENT is a macro Swift cannot import: SQLite copies the bound bytes.
        let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
        let seriesInsert = try prepare(db, "INSERT INTO series (id, device, point) VALUES (?, ?, ?)")
        defer { sqlite3_finalize(seriesInsert) }
        try execute(db, "BEGIN IMMEDIATE")
        for (index, row) in series.enumerated() {
            sqlite3_bind_int64(seriesInsert, 1, Int64(index + 1))
            sqlite3_bind_text(seriesInsert, 2, row.device, -1, transient)
            sqlite3_bind_text(seriesInsert, 3, row.point, -1, transient)
            guard sqlite3_step(seriesInsert) == SQLITE_DONE else {
                throw BenchmarkError("series: \(String(cString: sqlite3_errmsg(db)))")
            }
            sqlite3_reset(seriesInsert)
        }
        try execute(db, "COMMIT")

        let head = "INSERT INTO reading (series, time, value, value_text, quality, raw) VALUES "
        let single = try prepare(db, head + "(?, ?, ?, ?, ?, ?)")
        defer { sqlite3_finalize(single) }
        let chunked = try prepare(
            db, head + Array(repeating: "(?, ?, ?, ?, ?, ?)", count: rowsPerInsert).joined(separator: ", "))
        defer { sqlite3_finalize(chunked) }
        return try await Rate.measure(readings: batches.count * batchSize) {
            for batch in batches {
                try execute(db, "BEGIN IMMEDIATE")
                var start = 0
                while start < batch.count {
                    let count = batch.count - start >= rowsPerInsert ? rowsPerInsert : 1
                    let statement = count == rowsPerInsert ? chunked : single
                    for (offset, row) in batch[start..<start + count].enumerated() {
                        let base = Int32(offset * 6)
                        sqlite3_bind_int64(statement, base + 1, row.series)
                        sqlite3_bind_int64(statement, base + 2, row.time)
                        if let number = row.number {
                            sqlite3_bind_double(statement, base + 3, number)
                        } else {
                            sqlite3_bind_null(statement, base + 3)
                        }
                        if let text = row.text {
                            sqlite3_bind_text(statement, base + 4, text, -1, transient)
                        } else {
                            sqlite3_bind_null(statement, base + 4)
                        }
                        sqlite3_bind_int(statement, base + 5, row.quality)
                        if row.raw.isEmpty {
                            sqlite3_bind_null(statement, base + 6)
                        } else {
                            _ = row.raw.withUnsafeBytes {
                                sqlite3_bind_blob(statement, base + 6, $0.baseAddress, Int32($0.count), transient)
                            }
                        }
                    }
                    guard sqlite3_step(statement) == SQLITE_DONE else {
                        throw BenchmarkError("insert: \(String(cString: sqlite3_errmsg(db)))")
                    }
                    sqlite3_reset(statement)
                    start += count
                }
                try execute(db, "COMMIT")
            }
        }
    }

    static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var prepared: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil) == SQLITE_OK,
            let statement = prepared
        else { throw BenchmarkError("prepare: \(String(cString: sqlite3_errmsg(db)))") }
        return statement
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

    /// Every round's wall-clock rate in thousands, in run order: the spread behind the median.
    static func formatRuns(_ rates: [Rate]) -> String {
        rates.map { String(format: "%.0fk", $0.wall / 1000) }.joined(separator: " ")
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
