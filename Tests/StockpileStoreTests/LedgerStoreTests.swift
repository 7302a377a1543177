import Foundation
import GRDB
import StockpileDomain
import Testing

@testable import StockpileStore

/// The ledger in a real SQLite file: all-or-nothing appends, idempotent re-appends, and a hash chain
/// that names the first entry edited, deleted or slipped in behind the store's back.
@Suite("Ledger in the store")
struct LedgerStoreTests {
    static let day = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z

    static func at(_ hour: Int) -> Date { day.addingTimeInterval(Double(hour * 3600)) }

    static let locations = ["bay-b1", "bay-b2"].map {
        LedgerLocation(
            name: $0, kind: .scale, zone: "bay-b", device: "\($0)-scale",
            metrology: ScaleLocation(name: $0, capacity: 5000, division: 1, accuracyClass: .medium))
    }

    static func transaction(
        _ kind: LedgerTransaction.Kind, _ hour: Int, kg: Double, document: String, at location: String = "bay-b1",
        to destination: String? = nil
    ) -> LedgerRecord {
        .transaction(
            LedgerTransaction(
                kind: kind, time: at(hour), lot: "DY-1", location: location, destination: destination, quantity: kg,
                actor: "clerk", document: document, comment: "line one,\nline \"two\""))
    }

    static let records: [LedgerRecord] = [
        .material(
            Material(code: "DY2O3", name: "Dy2O3", hygroscopic: true, humidityLimit: 60, moistureAllowancePercent: 0.5)),
        .lot(
            Lot(
                id: "DY-1", material: "DY2O3", location: "bay-b1", containerKind: "drum", containerCount: 3,
                tarePerContainer: 20)),
        transaction(.opening, 8, kg: 600, document: "OPEN-1"),
        transaction(.receipt, 9, kg: 150, document: "GRN-1"),
        transaction(.issue, 10, kg: 50.25, document: "ISS-1"),
        transaction(.transfer, 11, kg: 699.75, document: "TRF-1", to: "bay-b2"),
        transaction(.receipt, 12, kg: 10, document: "GRN-2", at: "bay-b2"),
    ]

    /// A store holding `records`, and its path; `body` may edit the file through its own connection.
    func withLedger(_ body: (AppDatabase, String) async throws -> Void) async throws {
        try await withFileStore { database, path in
            try await database.appendLedger(Self.records, locations: Self.locations)
            try await body(database, path)
        }
    }

    /// Edits the file as an intruder would: through a connection of its own, after dropping the guards.
    func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER ledger_transaction_no_update; DROP TRIGGER ledger_transaction_no_delete")
            try db.execute(sql: sql)
        }
    }

    @Test("appended records read back as the same ledger, with an intact chain of five entries")
    func roundTrip() async throws {
        try await withLedger { database, _ in
            let ledger = try await database.ledger(locations: Self.locations)
            #expect(ledger.transactions.count == 5)
            #expect(ledger.book(at: "bay-b2", asOf: Self.at(12)) == 709.75)
            #expect(ledger.book(at: "bay-b1", asOf: Self.at(10)) == 699.75)
            #expect(ledger.transactions[0].comment == "line one,\nline \"two\"")
            let stored = try await database.storedTransactions()
            #expect(stored.map(\.sequence) == [1, 2, 3, 4, 5])
            #expect(stored[0].previousHash == LedgerChain.genesis)
            #expect(stored[1].previousHash == stored[0].hash)
            let verification = try await database.verifyLedger()
            #expect(verification.isIntact)
            #expect(verification.entries == 5)
            #expect(verification.head == stored[4].hashHex)
            #expect(verification.head.count == 64)
        }
    }

    @Test("appending the same records again writes nothing")
    func idempotent() async throws {
        try await withLedger { database, _ in
            let added = try await database.appendLedger(Self.records, locations: Self.locations)
            #expect(added.isEmpty)
            #expect(try await database.storedTransactions().count == 5)
            #expect(try await database.verifyLedger().isIntact)
        }
    }

    @Test("a batch with one bad transaction writes nothing at all, not even its good records")
    func allOrNothing() async throws {
        try await withFileStore { database, _ in
            var records = Self.records
            records.append(Self.transaction(.issue, 13, kg: 10_000, document: "ISS-BIG", at: "bay-b2"))
            await #expect(throws: LedgerViolations.self) {
                try await database.appendLedger(records, locations: Self.locations)
            }
            let ledger = try await database.ledger(locations: Self.locations)
            #expect(ledger.transactions.isEmpty)
            #expect(ledger.materials.isEmpty)
            #expect(ledger.lots.isEmpty)
        }
    }

    @Test("the store refuses UPDATE and DELETE of a transaction through SQL")
    func appendOnly() async throws {
        try await withLedger { _, path in
            let queue = try DatabaseQueue(path: path)
            #expect(throws: DatabaseError.self) {
                try queue.write { db in
                    try db.execute(sql: "UPDATE ledger_transaction SET quantity = 1 WHERE sequence = 2")
                }
            }
            #expect(throws: DatabaseError.self) {
                try queue.write { db in try db.execute(sql: "DELETE FROM ledger_transaction WHERE sequence = 2") }
            }
        }
    }

    @Test("an UPDATE behind the store's back is found at that entry, as altered")
    func alteredEntry() async throws {
        try await withLedger { database, path in
            try tamper(path, "UPDATE ledger_transaction SET quantity = 25.25 WHERE sequence = 3")
            let verification = try await database.verifyLedger()
            #expect(verification.failure?.kind == .altered)
            #expect(verification.failure?.sequence == 3)
            #expect(verification.failure?.document == "ISS-1")
            #expect(verification.entries == 2)
        }
    }

    @Test("a DELETE is found as the first missing entry")
    func missingEntry() async throws {
        try await withLedger { database, path in
            try tamper(path, "DELETE FROM ledger_transaction WHERE sequence = 2")
            let verification = try await database.verifyLedger()
            #expect(verification.failure?.kind == .missing)
            #expect(verification.failure?.sequence == 2)
        }
    }

    @Test("an entry slipped in between, with a well-formed hash of its own, is named as inserted")
    func insertedEntry() async throws {
        try await withLedger { database, path in
            let stored = try await database.storedTransactions()
            let forged = LedgerTransaction(
                kind: .issue, time: Self.at(9), lot: "DY-1", location: "bay-b1", quantity: 5, actor: "intruder",
                document: "ISS-FORGED")
            let hash = LedgerChain.hash(previous: stored[1].hash, sequence: 3, transaction: forged)
            try tamper(
                path,
                """
                UPDATE ledger_transaction SET sequence = sequence + 100 WHERE sequence >= 3;
                UPDATE ledger_transaction SET sequence = sequence - 99 WHERE sequence >= 103;
                INSERT INTO ledger_transaction (sequence, kind, time, lot, location, destination, quantity, actor,
                    document, comment, reason, approver, previous_hash, hash)
                VALUES (3, 'issue', \(forged.timeMilliseconds), 'DY-1', 'bay-b1', NULL, 5, 'intruder', 'ISS-FORGED',
                    '', '', '', x'\(LedgerChain.hex(stored[1].hash))', x'\(LedgerChain.hex(hash))')
                """)
            let verification = try await database.verifyLedger()
            #expect(verification.failure?.kind == .inserted)
            #expect(verification.failure?.sequence == 3)
            #expect(verification.failure?.document == "ISS-FORGED")
        }
    }

    @Test("a count is recorded once, and a count earlier than the location's last one is refused")
    func counts() async throws {
        try await withLedger { database, _ in
            let count = PhysicalCount(
                location: "bay-b2", time: Self.at(13), kilograms: 709, counter: "auditor", document: "CNT-1")
            try await database.recordCount(count, locations: Self.locations)
            let again = await #expect(throws: LedgerViolations.self) {
                try await database.recordCount(count, locations: Self.locations)
            }
            #expect(again?.violations.map(\.code) == [.duplicateDocument, .beforeCutOff])
            let ledger = try await database.ledger(locations: Self.locations)
            #expect(ledger.counts == [count])
            // The count is a cut-off: a receipt dated before it is refused.
            await #expect(throws: LedgerViolations.self) {
                try await database.appendLedger(
                    [Self.transaction(.receipt, 12, kg: 1, document: "GRN-LATE", at: "bay-b2")],
                    locations: Self.locations)
            }
        }
    }
}
