import Foundation
import GRDB
import Logging
import StockpileDomain
import Synchronization

@testable import StockpileStore

/// A fresh directory under the system's temporary directory, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("stockpile-store-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try await body(directory)
}

/// A store in a real SQLite file (WAL) in a fresh directory, and its path.
func withFileStore<T>(_ body: (AppDatabase, String) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let path = directory + "/stockpile.sqlite"
        return try await body(try AppDatabase.open(path: path), path)
    }
}

/// A quiet logger for writers under test.
let testLogger: Logger = {
    var logger = Logger(label: "StockpileStoreTests", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// 2026-03-01T12:00:00Z: a round minute, so tests can place readings in known minutes.
let noon = Date(timeIntervalSince1970: 1_772_366_400)

func at(_ seconds: Double, from base: Date = noon) -> Date {
    base.addingTimeInterval(seconds)
}

func reading(
    _ device: String, _ point: String, _ time: Date, _ value: PointValue? = .number(0),
    _ quality: ReadingQuality = .good
) -> Reading {
    Reading(device: device, point: point, time: time, value: value, quality: quality)
}

/// A reading of scale-1's `gross`.
func reading(_ time: Date, _ value: PointValue? = .number(0), _ quality: ReadingQuality = .good) -> Reading {
    reading("scale-1", "gross", time, value, quality)
}

/// Counts committed transactions and the rows they inserted into `reading`, seen from the writer connection.
final class CommitCounter: TransactionObserver, Sendable {
    private struct State {
        var pendingInserts = 0
        var commits: [Int] = []
        var rollbacks = 0
    }
    private let state = Mutex(State())

    /// One entry per commit: how many readings it inserted.
    var insertsPerCommit: [Int] { state.withLock { $0.commits } }
    var rollbacks: Int { state.withLock { $0.rollbacks } }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "reading" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        state.withLock { $0.pendingInserts += 1 }
    }

    func databaseDidCommit(_ db: Database) {
        state.withLock {
            $0.commits.append($0.pendingInserts)
            $0.pendingInserts = 0
        }
    }

    func databaseDidRollback(_ db: Database) {
        state.withLock {
            $0.rollbacks += 1
            $0.pendingInserts = 0
        }
    }
}

/// Makes the next `failures` commits that insert readings fail, as a full disk would.
final class FailingCommits: TransactionObserver, Sendable {
    private let remaining: Mutex<Int>

    init(failures: Int) {
        remaining = Mutex(failures)
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "reading" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseWillCommit() throws {
        let fail = remaining.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if fail { throw DatabaseError(resultCode: .SQLITE_FULL, message: "simulated full disk") }
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}

extension AppDatabase {
    /// Registers `observer` on the writer connection for as long as the connection lives.
    func observeWrites(with observer: some TransactionObserver & Sendable) async throws {
        try await writer.writeWithoutTransaction { db in
            db.add(transactionObserver: observer, extent: .databaseLifetime)
        }
    }

    /// Counts rows with raw SQL, for assertions.
    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await reader.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }
}
