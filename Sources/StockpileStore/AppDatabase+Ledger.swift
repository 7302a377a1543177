public import Foundation
import GRDB
public import StockpileDomain
import Synchronization

/// The ledger in the store: reference data, the chained append-only transactions, counts.
extension AppDatabase {
    /// The ledger as a value: the store's materials, lots, transactions (in sequence order) and counts,
    /// with `locations` from the site file.
    public func ledger(locations: [LedgerLocation]) async throws -> BookLedger {
        try await reader.read { db in try Self.loadLedger(db, locations: locations) }
    }

    /// Appends `records` all-or-nothing, in one write transaction: the batch is checked against the
    /// ledger as it is inside that transaction (`BookLedger.admissible(records:)`), so two writers never
    /// admit conflicting batches. Records already in the ledger are skipped.
    ///
    /// - Returns: the records added (nothing for a re-import of the same file).
    /// - Throws: `LedgerViolations` (nothing written) or a database error.
    @discardableResult
    public func appendLedger(_ records: [LedgerRecord], locations: [LedgerLocation]) async throws -> [LedgerRecord] {
        let added = try await appendLedger(pieces: 1, locations: locations) { _ in records }
        return (added ?? []).map { records[$0] }
    }

    /// Appends a batch that arrives in `count` pieces, all-or-nothing, in one write transaction, as
    /// `appendLedger(_:locations:)` does; `piece(i)` gives the records of piece `i`, or nil when it could
    /// not be read (then nothing is written and nil is returned).
    ///
    /// The pieces are asked for in order on two threads while this one writes each as it comes, and the
    /// ledger checks run once every piece is there; a failed check rolls the whole transaction back. A
    /// large import so costs about the longer of reading and writing, not their sum.
    ///
    /// - Returns: the indices (across the pieces, in order) of the records added.
    /// - Throws: `LedgerViolations` (nothing written) or a database error.
    public func appendLedger(
        pieces count: Int, locations: [LedgerLocation], piece: @escaping @Sendable (Int) -> [LedgerRecord]?
    ) async throws -> [Int]? {
        do {
            return try await writer.write { db in
                try Self.saveLocations(db, locations)
                let ledger = try Self.loadLedger(db, locations: locations)
                try Self.enlargeCacheForImport(db)
                defer { Self.restoreCache(db) }
                let handoff = PieceHandoff(count: count)
                // Two readers take the pieces in order; when every piece is in, one of them runs the checks.
                let reading = DispatchGroup()
                let producing = DispatchGroup()
                let next = Mutex(0)
                for _ in 0..<min(2, count) {
                    DispatchQueue.global().async(group: reading) {
                        while true {
                            let index = next.withLock { next in
                                defer { next += 1 }
                                return next
                            }
                            guard index < count else { return }
                            handoff.put(index, piece(index))
                        }
                    }
                }
                DispatchQueue.global().async(group: producing) {
                    reading.wait()
                    guard let all = handoff.all() else { return }
                    handoff.verdict(
                        Result { () throws(LedgerViolations) in try ledger.admissible(pieces: all) })
                }
                // What is not in the ledger yet, by key. When the checks pass this is exactly what they admit
                // (a known key with other content, or a key twice in the batch, is a violation); compared below.
                let known = KnownKeys(ledger)
                var fresh: [Int] = []
                var offset = 0
                var unreadable = false
                // A key twice in the batch fails the insert too: the checks' violations then say why.
                var failure: (any Error)?
                for index in 0..<count {
                    guard let records = handoff.take(index) else {
                        unreadable = true
                        break
                    }
                    let new = known.unknown(records)
                    if failure == nil {
                        do { try Self.insert(db, records, at: new) } catch { failure = error }
                    }
                    fresh += new.map { $0 + offset }
                    offset += records.count
                }
                producing.wait()
                if unreadable { throw Unreadable() }
                // `wait()` returns once the block has run, so the verdict is there.
                let admitted = try (handoff.result ?? .success([])).get()
                if let failure { throw failure }
                guard admitted == fresh else {
                    throw LedgerViolations([
                        LedgerViolation(
                            entry: admitted.first { !fresh.contains($0) } ?? fresh.first { !admitted.contains($0) }
                                ?? 0,
                            field: "record", code: .conflictingReference,
                            message: "the batch's new records could not be told from the ledger's own")
                    ])
                }
                return admitted
            }
        } catch is Unreadable {
            return nil
        }
    }

    /// A large import touches every page of the document index many times over: with the writer's usual
    /// 8 MiB cache (`writerPragmas`) those pages would be spilled and written again and again.
    static func enlargeCacheForImport(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -262144")
    }

    static func restoreCache(_ db: Database) {
        try? db.execute(sql: "PRAGMA cache_size = -8192")
    }

    /// A piece could not be read: the transaction is rolled back.
    private struct Unreadable: Error {}

    /// The pieces of a batch, handed from the thread that reads them to the one that writes them.
    private final class PieceHandoff: Sendable {
        private let slots: Mutex<[Int: [LedgerRecord]?]>
        private let ready: [DispatchSemaphore]
        private let checked = Mutex<Result<[Int], LedgerViolations>?>(nil)

        init(count: Int) {
            slots = Mutex([:])
            ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        }

        func put(_ index: Int, _ records: [LedgerRecord]?) {
            slots.withLock { $0[index] = .some(records) }
            ready[index].signal()
        }

        /// Waits for piece `index`.
        func take(_ index: Int) -> [LedgerRecord]? {
            ready[index].wait()
            return slots.withLock { $0[index] ?? nil }
        }

        /// Every piece's records in order, once all are in; nil when one could not be read. The pieces stay
        /// as they are: gathering them into one array would copy every record once more.
        func all() -> [[LedgerRecord]]? {
            slots.withLock { slots in
                var all: [[LedgerRecord]] = []
                for index in 0..<ready.count {
                    guard let records = slots[index] ?? nil else { return nil }
                    all.append(records)
                }
                return all
            }
        }

        func verdict(_ result: Result<[Int], LedgerViolations>) { checked.withLock { $0 = result } }
        var result: Result<[Int], LedgerViolations>? { checked.withLock { $0 } }
    }

    /// The keys (material code, lot id, transaction document) already in the ledger or in pieces before.
    private struct KnownKeys {
        var materials: Set<String>
        var lots: Set<String>
        var documents: Set<String>

        init(_ ledger: BookLedger) {
            materials = Set(ledger.materials.keys)
            lots = Set(ledger.lots.keys)
            documents = Set(ledger.transactions.map(\.document))
        }

        /// The indices of `records` whose key the ledger lacks. Keys are not added: a key twice in one batch
        /// is new twice, fails the insert and is reported by the checks, as in a batch of one piece.
        func unknown(_ records: [LedgerRecord]) -> [Int] {
            // A first import: nothing to look up, so no key is hashed.
            if materials.isEmpty && lots.isEmpty && documents.isEmpty { return Array(records.indices) }
            return records.indices.filter { index in
                switch records[index] {
                case .material(let material): !materials.contains(material.code)
                case .lot(let lot): !lots.contains(lot.id)
                case .transaction(let transaction): !documents.contains(transaction.document)
                }
            }
        }
    }

    /// Records a count (signed off as it is recorded) after checking it: a known location, a finite
    /// non-negative weight, a counter, a unique document, and no earlier than the location's last count.
    public func recordCount(_ count: PhysicalCount, locations: [LedgerLocation]) async throws {
        try await writer.write { db in
            try Self.saveLocations(db, locations)
            let ledger = try Self.loadLedger(db, locations: locations)
            var violations: [LedgerViolation] = []
            func refuse(_ field: String, _ code: LedgerViolation.Code, _ message: String) {
                violations.append(LedgerViolation(entry: 0, field: field, code: code, message: message))
            }
            if ledger.locations[count.location] == nil {
                refuse("location", .unknownLocation, "no location \(count.location) in the site file")
            }
            if !count.kilograms.isFinite || count.kilograms < 0 {
                refuse("kg", .invalidQuantity, "a count is 0 kg or more, found \(count.kilograms)")
            }
            if count.counter.isEmpty { refuse("counter", .missingField, "who counted is required") }
            if count.document.isEmpty { refuse("document", .missingField, "a count sheet reference is required") }
            if ledger.counts.contains(where: { $0.document == count.document }) {
                refuse("document", .duplicateDocument, "count sheet \(count.document) is already recorded")
            }
            if let last = ledger.latestCount(at: count.location, before: .distantFuture), last.time >= count.time {
                refuse("time", .beforeCutOff, "\(count.location) was last counted at \(UTCTimestamp.text(last.time))")
            }
            if !violations.isEmpty { throw LedgerViolations(violations) }
            try db.execute(
                sql: """
                    INSERT INTO physical_count (location, time, kilograms, counter, document, comment)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    count.location, StoreTime.milliseconds(count.time), count.kilograms, count.counter, count.document,
                    count.comment,
                ])
        }
    }

    /// Every transaction with its chain fields, in sequence order.
    public func storedTransactions() async throws -> [StoredTransaction] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ledger_transaction ORDER BY sequence").map(Self.stored)
        }
    }

    /// Walks the chain from the first entry and stops at the first that does not hold.
    public func verifyLedger() async throws -> LedgerVerification {
        try await reader.read { db in
            var previous = LedgerChain.genesis
            var beforePrevious: Data?
            var previousDocument = ""
            var expected: Int64 = 1
            var entries = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM ledger_transaction ORDER BY sequence")
            while let row = try rows.next() {
                let entry = Self.stored(row)
                let document = entry.transaction.document
                if entry.sequence != expected {
                    let gone =
                        entry.sequence - 1 == expected ? "\(expected) is" : "\(expected)–\(entry.sequence - 1) are"
                    return LedgerVerification(
                        entries: entries, head: LedgerChain.hex(previous),
                        failure: .init(
                            sequence: expected, kind: .missing, document: nil,
                            message:
                                "transaction \(gone) missing: the chain jumps from \(expected - 1) to \(entry.sequence)"
                        ))
                }
                if entry.previousHash != previous, entry.previousHash == beforePrevious {
                    // This entry links past the one before it: that one was slipped in between.
                    return LedgerVerification(
                        entries: entries - 1, head: LedgerChain.hex(previous),
                        failure: .init(
                            sequence: entry.sequence - 1, kind: .inserted, document: previousDocument,
                            message: "transaction \(entry.sequence - 1) (\(previousDocument)) was inserted: "
                                + "transaction \(entry.sequence) links to the one before it"))
                }
                if entry.previousHash != previous {
                    return LedgerVerification(
                        entries: entries, head: LedgerChain.hex(previous),
                        failure: .init(
                            sequence: entry.sequence, kind: .inserted, document: document,
                            message: "transaction \(entry.sequence) (\(document)) does not follow transaction "
                                + "\(entry.sequence - 1): inserted, or the entries were reordered"))
                }
                let hash = LedgerChain.hash(
                    previous: previous, sequence: entry.sequence, transaction: entry.transaction)
                if hash != entry.hash {
                    return LedgerVerification(
                        entries: entries, head: LedgerChain.hex(previous),
                        failure: .init(
                            sequence: entry.sequence, kind: .altered, document: document,
                            message: "transaction \(entry.sequence) (\(document)) was altered: its content no longer "
                                + "matches its hash"))
                }
                beforePrevious = previous
                previous = hash
                previousDocument = document
                expected += 1
                entries += 1
            }
            return LedgerVerification(entries: entries, head: LedgerChain.hex(previous), failure: nil)
        }
    }

    // MARK: - Rows

    static func loadLedger(_ db: Database, locations: [LedgerLocation]) throws -> BookLedger {
        var transactions: [LedgerTransaction] = []
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT kind, time, lot, location, destination, quantity, actor, document, comment, reason, approver
                FROM ledger_transaction ORDER BY sequence
                """)
        // Columns by position, decoded straight from the statement: a ledger of a million transactions
        // would otherwise spend seconds looking up column names and copying rows.
        while let row = try rows.next() {
            let kind: String = row[0]
            transactions.append(
                LedgerTransaction(
                    kind: LedgerTransaction.Kind(rawValue: kind) ?? .adjustment, time: StoreTime.date(row[1]),
                    lot: row[2], location: row[3], destination: row[4], quantity: row[5], actor: row[6],
                    document: row[7], comment: row[8], reason: row[9], approver: row[10]))
        }
        return BookLedger(
            materials: try loadMaterials(db), locations: locations, lots: try loadLots(db), transactions: transactions,
            counts: try loadCounts(db))
    }

    static func loadMaterials(_ db: Database) throws -> [Material] {
        try Row.fetchAll(db, sql: "SELECT * FROM material ORDER BY code").map { row in
            Material(
                code: row["code"], name: row["name"], hygroscopic: row["hygroscopic"],
                humidityLimit: row["humidity_limit"], moistureAllowancePercent: row["moisture_allowance_percent"])
        }
    }

    static func loadLots(_ db: Database) throws -> [Lot] {
        var lots: [Lot] = []
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, material, location, container_kind, container_count, tare_per_container
                FROM lot ORDER BY id
                """)
        while let row = try rows.next() {
            lots.append(
                Lot(
                    id: row[0], material: row[1], location: row[2], containerKind: row[3], containerCount: row[4],
                    tarePerContainer: row[5]))
        }
        return lots
    }

    static func loadCounts(_ db: Database) throws -> [PhysicalCount] {
        try Row.fetchAll(db, sql: "SELECT * FROM physical_count ORDER BY time, id").map { row in
            PhysicalCount(
                location: row["location"], time: StoreTime.date(row["time"]), kilograms: row["kilograms"],
                counter: row["counter"], document: row["document"], comment: row["comment"])
        }
    }

    static func stored(_ row: Row) -> StoredTransaction {
        let kindText: String = row["kind"]
        let transaction = LedgerTransaction(
            kind: LedgerTransaction.Kind(rawValue: kindText) ?? .adjustment, time: StoreTime.date(row["time"]),
            lot: row["lot"], location: row["location"], destination: row["destination"], quantity: row["quantity"],
            actor: row["actor"], document: row["document"], comment: row["comment"], reason: row["reason"],
            approver: row["approver"])
        // A kind this build does not know reads as an adjustment, whose canonical text differs from the hashed
        // one: `verify` reports the entry as altered instead of trusting it.
        return StoredTransaction(
            sequence: row["sequence"], transaction: transaction, previousHash: row["previous_hash"], hash: row["hash"])
    }

    private static func saveLocations(_ db: Database, _ locations: [LedgerLocation]) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO location (name, kind, zone, device, capacity, division, accuracy_class)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, zone = excluded.zone, device = excluded.device,
                    capacity = excluded.capacity, division = excluded.division, accuracy_class = excluded.accuracy_class
                """)
        for location in locations {
            try statement.execute(arguments: [
                location.name, location.kind.rawValue, location.zone, location.device, location.metrology.capacity,
                location.metrology.division, location.metrology.accuracyClass.rawValue,
            ])
        }
    }

    /// Inserts `records[i]` for each of `indices`, in their order: the records are read where they are.
    private static func insert(_ db: Database, _ records: [LedgerRecord], at indices: [Int]) throws {
        let material = try db.cachedStatement(
            sql: """
                INSERT INTO material (code, name, hygroscopic, humidity_limit, moisture_allowance_percent)
                VALUES (?, ?, ?, ?, ?)
                """)
        let lot = try db.cachedStatement(
            sql: """
                INSERT INTO lot (id, material, location, container_kind, container_count, tare_per_container)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        let last = try Row.fetchOne(
            db, sql: "SELECT sequence, hash FROM ledger_transaction ORDER BY sequence DESC LIMIT 1")
        var sequence: Int64 = last?["sequence"] ?? 0
        var previous: Data = last?["hash"] ?? LedgerChain.genesis
        var scratch: [UInt8] = []
        var pending = PendingTransactions()
        for index in indices {
            switch records[index] {
            case .material(let value):
                try material.execute(arguments: [
                    value.code, value.name, value.hygroscopic, value.humidityLimit, value.moistureAllowancePercent,
                ])
            case .lot(let value):
                try lot.execute(arguments: [
                    value.id, value.material, value.location, value.containerKind, value.containerCount,
                    value.tarePerContainer,
                ])
            case .transaction(let value):
                sequence += 1
                let hash = LedgerChain.hash(
                    previous: previous, sequence: sequence, transaction: value, scratch: &scratch)
                try pending.add((sequence, value, previous, hash), db)
                previous = hash
            }
        }
        try pending.flush(db)
    }

    /// Transaction rows on their way to the table, written `ledgerInsertChunk` at a time.
    fileprivate struct PendingTransactions {
        private var rows: [(sequence: Int64, transaction: LedgerTransaction, previous: Data, hash: Data)] = []

        init() { rows.reserveCapacity(AppDatabase.ledgerInsertChunk) }

        mutating func add(_ row: (Int64, LedgerTransaction, Data, Data), _ db: Database) throws {
            rows.append(row)
            if rows.count == AppDatabase.ledgerInsertChunk { try flush(db) }
        }

        /// Writes what is pending.
        mutating func flush(_ db: Database) throws {
            try AppDatabase.insertTransactions(db, rows)
            rows.removeAll(keepingCapacity: true)
        }
    }

    /// Transactions per multi-row INSERT: GRDB's and SQLite's per-statement work (argument arrays, observer
    /// bookkeeping, reset, the VDBE's start and halt) is paid once per chunk instead of once per transaction,
    /// as in the reading writer. 14 × 64 = 896 parameters, far below SQLite's limit (32,766).
    static let ledgerInsertChunk = 64

    private static func insertTransactions(
        _ db: Database, _ rows: [(sequence: Int64, transaction: LedgerTransaction, previous: Data, hash: Data)]
    ) throws {
        guard !rows.isEmpty else { return }
        let head = """
            INSERT INTO ledger_transaction (sequence, kind, time, lot, location, destination, quantity, actor,
                document, comment, reason, approver, previous_hash, hash) VALUES
            """
        let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        // Full chunks share one cached statement; the last, shorter one is prepared for its size (once per import).
        let statement = try db.cachedStatement(
            sql: head + Array(repeating: row, count: rows.count).joined(separator: ", "))
        // Resets the statement and clears the last bindings; `execute()` then keeps the bindings made here (see the
        // reading writer). Were a later GRDB to rebind empty arguments, every NOT NULL column would be NULL and the
        // import would fail whole: nothing half-written.
        statement.setUncheckedArguments(StatementArguments())
        let handle = statement.sqliteStatement
        var parameter: Int32 = 1
        for (sequence, value, previous, hash) in rows {
            var code = sequence.bind(to: handle, at: parameter)  // 0 is SQLITE_OK
            if code == 0 { code = value.kind.rawValue.bind(to: handle, at: parameter + 1) }
            if code == 0 { code = value.timeMilliseconds.bind(to: handle, at: parameter + 2) }
            if code == 0 { code = value.lot.bind(to: handle, at: parameter + 3) }
            if code == 0 { code = value.location.bind(to: handle, at: parameter + 4) }
            if code == 0 { code = value.destination.bind(to: handle, at: parameter + 5) }
            if code == 0 { code = value.quantity.bind(to: handle, at: parameter + 6) }
            if code == 0 { code = value.actor.bind(to: handle, at: parameter + 7) }
            if code == 0 { code = value.document.bind(to: handle, at: parameter + 8) }
            if code == 0 { code = value.comment.bind(to: handle, at: parameter + 9) }
            if code == 0 { code = value.reason.bind(to: handle, at: parameter + 10) }
            if code == 0 { code = value.approver.bind(to: handle, at: parameter + 11) }
            if code == 0 { code = previous.bind(to: handle, at: parameter + 12) }
            if code == 0 { code = hash.bind(to: handle, at: parameter + 13) }
            guard code == 0 else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: "binding a ledger transaction", sql: statement.sql)
            }
            parameter += 14
        }
        try statement.execute()
    }
}

extension AppDatabase {
    /// For the ledger benchmark's reference: the same transaction rows inserted with no check and no
    /// hash (zero-filled hash columns), in one transaction. Never used by the product.
    public func benchmarkPlainLedgerInsert(_ transactions: [LedgerTransaction]) async throws {
        try await writer.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO ledger_transaction (sequence, kind, time, lot, location, destination, quantity, actor,
                        document, comment, reason, approver, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (index, value) in transactions.enumerated() {
                try statement.execute(arguments: [
                    index + 1, value.kind.rawValue, value.timeMilliseconds, value.lot, value.location,
                    value.destination,
                    value.quantity, value.actor, value.document, value.comment, value.reason, value.approver,
                    LedgerChain.genesis, LedgerChain.genesis,
                ])
            }
        }
    }
}

extension AppDatabase {
    /// For the ledger benchmark: the import's own insert statements (64 rows each, bound straight to SQLite)
    /// over the same transaction rows, with no parse, no check and no hash (zero-filled hash columns), in one
    /// transaction: how fast this machine's SQLite takes the rows at all. Never used by the product.
    public func benchmarkLedgerInsertStatementsAlone(_ transactions: [LedgerTransaction]) async throws {
        try await writer.write { db in
            try Self.enlargeCacheForImport(db)
            defer { Self.restoreCache(db) }
            var pending = PendingTransactions()
            for (index, value) in transactions.enumerated() {
                try pending.add((Int64(index + 1), value, LedgerChain.genesis, LedgerChain.genesis), db)
            }
            try pending.flush(db)
        }
    }
}

extension AppDatabase {
    /// For the reconcile benchmark's reference: what a reconciliation reads, as two plain SQL aggregates over the
    /// same tables: the book per location as of `instant`, and the count and mean of the good readings per device
    /// in the window before it. Never used by the product.
    public func benchmarkPlainReconcileAggregate(
        at instant: Date, window: Duration
    ) async throws -> (locations: Int, devices: Int) {
        let until = StoreTime.milliseconds(instant)
        let since = until - window.components.seconds * 1000
        return try await reader.read { db in
            var locations = 0
            let books = try Row.fetchCursor(
                db,
                sql: """
                    SELECT location, SUM(CASE kind WHEN 'issue' THEN -quantity WHEN 'transfer' THEN 0 ELSE quantity END)
                    FROM ledger_transaction WHERE time <= ? GROUP BY location
                    """, arguments: [until])
            while try books.next() != nil { locations += 1 }
            var devices = 0
            let weights = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.device, COUNT(*), AVG(r.value) FROM series AS s CROSS JOIN reading AS r ON r.series = s.id
                    WHERE s.point = 'net' AND r.time > ? AND r.time <= ? AND r.quality = 0 GROUP BY s.device
                    """, arguments: [since, until])
            while try weights.next() != nil { devices += 1 }
            return (locations, devices)
        }
    }
}
