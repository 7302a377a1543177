public import Foundation
import GRDB
public import StockpileDomain

/// The book at an instant, straight from the transaction rows: what a reconciliation reads.
extension AppDatabase {
    /// The ledger's reference data, counts and every lot's position at `instant`. The transactions in
    /// effect stream through `BookAccumulator` in the order they apply; none is kept.
    public func bookSnapshot(asOf instant: Date) async throws -> BookSnapshot {
        try await reader.read { db in
            let lots = Dictionary(try Self.loadLots(db).map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            var book = BookAccumulator(lots: lots)
            try Self.accumulate(
                db, into: &book, sql: "WHERE time <= ?", arguments: [StoreTime.milliseconds(instant)])
            return BookSnapshot(
                instant: instant,
                materials: Dictionary(
                    try Self.loadMaterials(db).map { ($0.code, $0) }, uniquingKeysWith: { _, last in last }),
                lots: lots, counts: try Self.loadCounts(db), positions: book.positions)
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
    private static func accumulate(
        _ db: Database, into book: inout BookAccumulator, sql filter: String, arguments: StatementArguments
    ) throws {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT kind, time, sequence, lot, destination, quantity, document FROM ledger_transaction
                \(filter) ORDER BY sequence
                """, arguments: arguments)
        while let row = try rows.next() {
            let kind: String = row[0]
            // A kind this build does not know counts as an adjustment, as when the whole ledger is read.
            book.apply(
                kind: LedgerTransaction.Kind(rawValue: kind) ?? .adjustment, time: StoreTime.date(row[1]),
                sequence: row[2], lot: row[3], destination: row[4], quantity: row[5], document: row[6])
        }
    }
}
