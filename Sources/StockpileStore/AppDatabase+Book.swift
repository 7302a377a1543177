public import Foundation
import GRDB
public import StockpileDomain

/// The book at an instant, straight from the transaction rows: what a reconciliation reads.
extension AppDatabase {
    /// The ledger's reference data, counts and every lot's position at `instant`. The transactions in
    /// effect stream through `BookAccumulator` in the order they apply; none is kept.
    public func bookSnapshot(asOf instant: Date) async throws -> BookSnapshot {
        try await bookSnapshotAndCutOff(asOf: instant).book
    }

    /// The book at `instant` and a report's cut-off, from one pass over the transactions: the cut-off is
    /// the latest of them by (time, sequence) with the chain's hash at the last one recorded, as hex.
    public func bookSnapshotAndCutOff(
        asOf instant: Date
    ) async throws -> (
        book: BookSnapshot, cutOff: (sequence: Int64, time: Date, kind: String, document: String, headHash: String)?
    ) {
        try await reader.read { db in
            let lots = Dictionary(try Self.loadLots(db).map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            var book = BookAccumulator(lots: lots)
            let last = try Self.accumulate(
                db, into: &book, sql: "WHERE time <= ?", arguments: [StoreTime.milliseconds(instant)])
            let snapshot = BookSnapshot(
                instant: instant,
                materials: Dictionary(
                    try Self.loadMaterials(db).map { ($0.code, $0) }, uniquingKeysWith: { _, last in last }),
                lots: lots, counts: try Self.loadCounts(db), positions: book.positions)
            guard let latest = last.latest, let head = last.head,
                let hash = try Data.fetchOne(
                    db, sql: "SELECT hash FROM ledger_transaction WHERE sequence = ?", arguments: [head])
            else { return (snapshot, nil) }
            return (snapshot, (latest.sequence, latest.time, latest.kind, latest.document, LedgerChain.hex(hash)))
        }
    }

    /// How far the ledger has grown: its last transaction's sequence, and how many lots and materials it
    /// has. Equal heads mean nothing was added since.
    public struct LedgerHead: Hashable, Sendable {
        public var sequence: Int64
        public var lots: Int
        public var materials: Int
    }

    /// The ledger's head: three small queries, not a read of the ledger.
    public func ledgerHead() async throws -> LedgerHead {
        try await reader.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT coalesce(max(sequence), 0) FROM ledger_transaction),
                        (SELECT count(*) FROM lot), (SELECT count(*) FROM material)
                    """)
            return LedgerHead(sequence: row?[0] ?? 0, lots: row?[1] ?? 0, materials: row?[2] ?? 0)
        }
    }

    /// Net kg on the book at `location` at `instant`: from the transactions of the lots ever there only
    /// (put there, or moved in or out): one pass over the table, which keeps no index but the documents'.
    public func book(at location: String, asOf instant: Date) async throws -> Double {
        try await reader.read { db in
            let lots = Dictionary(try Self.loadLots(db).map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            var book = BookAccumulator(lots: lots)
            try Self.accumulate(
                db, into: &book,
                sql: """
                    WHERE time <= ? AND lot IN (
                        SELECT id FROM lot WHERE location = ?
                        UNION SELECT lot FROM ledger_transaction WHERE location = ? OR destination = ?)
                    """,
                arguments: [StoreTime.milliseconds(instant), location, location, location])
            return book.positions.filter { $0.location == location }.reduce(0) { $0 + $1.kilograms }
        }
    }

    /// Feeds the transactions selected by `filter` to `book` in the order they lie in the table (the
    /// accumulator does not depend on the order): one pass through the file.
    ///
    /// - Returns: the latest transaction fed, by (time, sequence), and the highest sequence fed.
    @discardableResult
    private static func accumulate(
        _ db: Database, into book: inout BookAccumulator, sql filter: String, arguments: StatementArguments
    ) throws -> (latest: (sequence: Int64, time: Date, kind: String, document: String)?, head: Int64?) {
        var latest: (sequence: Int64, time: Date, kind: String, document: String)?
        var head: Int64?
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT kind, time, sequence, lot, destination, quantity, document FROM ledger_transaction
                \(filter) ORDER BY sequence
                """, arguments: arguments)
        while let row = try rows.next() {
            let kind: String = row[0]
            let time = StoreTime.date(row[1])
            let sequence: Int64 = row[2]
            let document: String = row[6]
            // A kind this build does not know counts as an adjustment, as when the whole ledger is read.
            book.apply(
                kind: LedgerTransaction.Kind(rawValue: kind) ?? .adjustment, time: time, sequence: sequence,
                lot: row[3], destination: row[4], quantity: row[5], document: document)
            if latest.map({ ($0.time, $0.sequence) < (time, sequence) }) ?? true {
                latest = (sequence, time, kind, document)
            }
            head = max(head ?? sequence, sequence)
        }
        return (latest, head)
    }
}
