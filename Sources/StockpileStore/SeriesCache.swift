import GRDB
import Synchronization

/// One point of one device: a row of `series`.
struct SeriesKey: Hashable, Sendable {
    var device: String
    var point: String
}

/// The `series` ids this process knows, so that a batch binds an integer per reading without asking SQLite.
///
/// Holds committed ids only: the series a batch creates join the cache after its transaction commits (SQLite may
/// hand a rolled-back id to another series). Rows of `series` are never deleted, so a cached id stays right even
/// while another process prunes the file.
final class SeriesCache: Sendable {
    private let ids = Mutex<[SeriesKey: Int64]>([:])

    /// The series id of each reading, in order, and the series looked up or created in `db` for them.
    func resolve(_ readings: [Reading], in db: Database) throws -> (ids: [Int64], learned: [SeriesKey: Int64]) {
        var result = [Int64](repeating: 0, count: readings.count)
        var misses: [Int] = []
        ids.withLock { cache in
            for index in readings.indices {
                let key = SeriesKey(device: readings[index].device, point: readings[index].point)
                if let id = cache[key] {
                    result[index] = id
                } else {
                    misses.append(index)
                }
            }
        }
        var learned: [SeriesKey: Int64] = [:]
        for index in misses {
            let key = SeriesKey(device: readings[index].device, point: readings[index].point)
            if let id = learned[key] {
                result[index] = id
            } else {
                let id = try SeriesCache.id(of: key, in: db)
                learned[key] = id
                result[index] = id
            }
        }
        return (result, learned)
    }

    /// Adds the series of a committed batch.
    func remember(_ learned: [SeriesKey: Int64]) {
        guard !learned.isEmpty else { return }
        ids.withLock { $0.merge(learned) { _, new in new } }
    }

    /// The id of `key`'s row in `series`, created if needed, inside the caller's transaction.
    static func id(of key: SeriesKey, in db: Database) throws -> Int64 {
        let select = try db.cachedStatement(sql: "SELECT id FROM series WHERE device = ? AND point = ?")
        if let id = try Int64.fetchOne(select, arguments: [key.device, key.point]) {
            return id
        }
        let insert = try db.cachedStatement(sql: "INSERT INTO series (device, point) VALUES (?, ?)")
        try insert.execute(arguments: [key.device, key.point])
        return db.lastInsertedRowID
    }
}
