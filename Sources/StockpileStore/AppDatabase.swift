import Foundation
import GRDB

/// The store: readings, per-minute aggregates and device health events in one SQLite file.
///
/// On disk it is a `DatabasePool` in WAL mode: one writer (the agent's ``ReadingWriter``) and any number of
/// concurrent readers (`stockpile readings`, `stockpile status`, the dashboard) that see the last committed
/// batch and never wait for the writer. Tests whose point is logic build the same store in memory with
/// ``inMemory()``. Either way, opening applies the pending migrations (see `AppDatabase+Migrations.swift`).
public struct AppDatabase: Sendable {
    /// The connection(s). Internal: the rest of the package talks to the store through intention-named methods.
    let writer: any DatabaseWriter

    /// The `series` ids the batch writer has used, shared by every copy of this value.
    let seriesCache = SeriesCache()

    /// Reads go through the pool's readers, concurrent with the writer.
    var reader: any DatabaseReader { writer }

    /// Wraps `writer` and brings its schema up to date.
    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try AppDatabase.migrator.migrate(writer)
    }

    private init(unmigrated writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Opens the store at `path`, creating the file if needed, in WAL mode, and applies pending migrations.
    ///
    /// The writer connection runs with `synchronous = FULL`: a batch whose ``ReadingWriter/flush()`` returned
    /// survives a killed process *and* a power cut, for the price of one fsync per batch.
    public static func open(path: String) throws -> AppDatabase {
        // What is already there must be a store: a directory or another file is said in words, not
        // as SQLite error 14 or 26 (and a foreign file is never turned into a store).
        if FileManager.default.fileExists(atPath: path) {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            if size != 0 { try checkStoreFile(path) }
        }
        let pool = try DatabasePool(path: path, configuration: makeConfiguration())
        try pool.barrierWriteWithoutTransaction { db in
            for pragma in writerPragmas {
                try db.execute(sql: pragma)
            }
        }
        return try AppDatabase(pool)
    }

    /// The writer connection's settings, applied after GRDB has turned WAL on (outside any transaction).
    ///
    /// - `synchronous = FULL`: GRDB sets NORMAL with WAL (durable across a crash of the process, not of the
    ///   machine); the store wants a returned flush to survive a power cut too.
    /// - `cache_size = -8192` (8 MiB, SQLite's default is 2 MiB): each batch writes one index leaf per active point
    ///   (the tail of its `(series, time)` range); the cache must hold those tails for a site of a
    ///   couple of thousand points, or every batch re-reads them from the file.
    /// - `wal_autocheckpoint = 4000` pages (16 MiB at most in the WAL before it is copied back, default 1000):
    ///   a checkpoint per batch would copy the same hot index pages into the file again and again.
    public static let writerPragmas = [
        "PRAGMA synchronous = FULL",
        "PRAGMA cache_size = -8192",
        "PRAGMA wal_autocheckpoint = 4000",
    ]

    /// Opens an existing store for reading only — the CLI's way while the agent runs — without migrating it.
    ///
    /// - Throws: ``StoreError`` when the file's schema is older or newer than this build's.
    public static func openReadOnly(path: String) throws -> AppDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.missing, "no store at \(path)")
        }
        try checkStoreFile(path)
        var configuration = makeConfiguration()
        configuration.readonly = true
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.read { db in
            let migrator = AppDatabase.migrator
            if try migrator.hasBeenSuperseded(db) {
                throw StoreError(.schemaMismatch, "the store at \(path) was written by a newer Stockpile")
            }
            if try !migrator.hasCompletedMigrations(db) {
                throw StoreError(.schemaMismatch, "the store at \(path) needs migrating: start the agent once")
            }
        }
        return AppDatabase(unmigrated: pool)
    }

    /// Refuses, in words, what SQLite would report as a bare code (10, 26) or open as an empty
    /// store: a directory, a file this user cannot read, a file that is not an SQLite database.
    static func checkStoreFile(_ path: String) throws {
        var status = stat()
        if stat(path, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw StoreError(.notAStore, "\(path) is a directory, not a store file")
            // A FIFO or a device would block the read below.
            default: throw StoreError(.notAStore, "\(path) is not a regular file, so not a store")
            }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(.notAStore, "cannot read the store \(path): permission denied or not a regular file")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw StoreError(
                .notAStore,
                header.isEmpty
                    ? "\(path) is an empty file, not a Stockpile store"
                    : "\(path) is not a Stockpile store (not an SQLite database)")
        }
    }

    /// An empty store in memory (a `DatabaseQueue`), migrated like a file: for tests whose point is logic.
    public static func inMemory() throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(configuration: makeConfiguration()))
    }

    /// The configuration every connection shares.
    static func makeConfiguration() -> Configuration {
        var configuration = Configuration()
        // Another process writing (a CLI `prune` while the agent runs) waits for the lock instead of failing.
        configuration.busyMode = .timeout(5)
        configuration.label = "StockpileStore"
        return configuration
    }

    /// The names of the migrations applied to this store, in order.
    public func appliedMigrations() async throws -> [String] {
        try await reader.read { db in try AppDatabase.migrator.appliedMigrations(db) }
    }

    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound file, otherwise the problems it found.
    public func integrityCheck() async throws -> [String] {
        try await reader.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}
