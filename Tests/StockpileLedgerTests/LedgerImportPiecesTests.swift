import Foundation
import StockpileDomain
import StockpileStore
import Testing

@testable import StockpileLedger

/// A large import goes to the store in pieces, written while the rest are read: a mistake in a late piece,
/// or a ledger rule broken across pieces, must still write nothing and name every error at its line.
@Suite("Importing a large file in pieces")
struct LedgerImportPiecesTests {
    static let locations = ["bay-1", "bay-2"].map {
        LedgerLocation(
            name: $0, kind: .scale, zone: nil, device: "\($0)-scale",
            metrology: ScaleLocation(name: $0, capacity: 5000, division: 1, accuracyClass: .medium))
    }

    /// A file over 1 MiB: one lot per 10 receipts; `edit` may change any line (0-based, header included).
    static func file(receipts: Int, edit: (Int, String) -> String = { $1 }) -> String {
        var lines = [
            "record,time,lot,material,location,quantity_kg,container_kind,container_count,tare_per_container_kg,name,"
                + "hygroscopic,actor,document,comment",
            "material,,,DY2O3,,,,,,Dy2O3,yes,,,",
        ]
        for lot in 0..<(receipts / 10) { lines.append("lot,,L\(lot),DY2O3,bay-\(1 + lot % 2),,drum,3,18,,,,,") }
        for index in 0..<receipts {
            let lot = index / 10
            let time = UTCTimestamp.text(Date(timeIntervalSince1970: 1_767_225_600 + Double(index)))
            let kind = index % 10 == 0 ? "opening" : "receipt"
            lines.append(
                "\(kind),\(time),L\(lot),,bay-\(1 + lot % 2),12.5,,,,,,clerk,DOC-\(index),\"pallet \(index), checked\"")
        }
        return lines.enumerated().map { edit($0.offset, $0.element) }.joined(separator: "\r\n") + "\r\n"
    }

    static func withStore<T>(_ body: (AppDatabase) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-pieces-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(try AppDatabase.open(path: directory.appendingPathComponent("s.sqlite").path))
    }

    @Test("a clean file is written whole, in order, with its chain; again, nothing twice")
    func clean() async throws {
        let text = Self.file(receipts: 20_000)
        #expect(text.utf8.count > LedgerCSV.parallelThreshold)
        try await Self.withStore { database in
            let outcome = try await LedgerImport.run(
                text: text, file: "big.csv", locations: Self.locations, database: database)
            #expect(outcome.rows == 1 + 2000 + 20_000 && outcome.added == outcome.rows)
            let ledger = try await database.ledger(locations: Self.locations)
            #expect(ledger.transactions.map(\.document) == (0..<20_000).map { "DOC-\($0)" })
            #expect(try await database.verifyLedger().failure == nil)
            let again = try await LedgerImport.run(
                text: text, file: "big.csv", locations: Self.locations, database: database)
            #expect(again.added == 0)
        }
    }

    @Test("a bad row in the last piece: nothing written, the error at its line with the others")
    func badRowLate() async throws {
        // Line numbers are 1-based; receipt `index` is on line 2 + 2000 + index + 1.
        let bad = 2 + 2000 + 19_990
        let text = Self.file(receipts: 20_000) { offset, line in
            offset == bad - 1 ? line.replacingOccurrences(of: ",12.5,", with: ",twelve,") : line
        }
        try await Self.withStore { database in
            await #expect(throws: LedgerFileErrors.self) {
                try await LedgerImport.run(text: text, file: "big.csv", locations: Self.locations, database: database)
            }
            do {
                _ = try await LedgerImport.run(
                    text: text, file: "big.csv", locations: Self.locations, database: database)
            } catch let errors as LedgerFileErrors {
                #expect(errors.errors.map(\.line) == [bad], "\(errors.errors)")
                #expect(errors.errors.first?.columnName == "quantity_kg")
            }
            #expect(try await database.ledger(locations: Self.locations).transactions.isEmpty)
            #expect(try await database.ledger(locations: Self.locations).lots.isEmpty)
        }
    }

    @Test("a document given twice in different pieces: nothing written, both places named")
    func duplicateAcrossPieces() async throws {
        let second = 2 + 2000 + 18_000
        let text = Self.file(receipts: 20_000) { offset, line in
            offset == second - 1 ? line.replacingOccurrences(of: "DOC-17999,", with: "DOC-5,") : line
        }
        try await Self.withStore { database in
            do {
                _ = try await LedgerImport.run(
                    text: text, file: "big.csv", locations: Self.locations, database: database)
                Issue.record("the import went through")
            } catch let errors as LedgerFileErrors {
                #expect(errors.errors.map(\.line) == [second], "\(errors.errors)")
                #expect(errors.errors.first?.message.contains("DOC-5") == true)
            }
            #expect(try await database.ledger(locations: Self.locations).transactions.isEmpty)
        }
    }

    @Test("a quoted field never closed: nothing written, the file refused at the record it starts in")
    func unclosedQuote() async throws {
        // The last comment's closing quote is gone: the field would take in the line break after it.
        let last = 2 + 2000 + 20_000
        let text = Self.file(receipts: 20_000) { offset, line in
            offset == last - 1 ? String(line.dropLast()) : line
        }
        try await Self.withStore { database in
            do {
                _ = try await LedgerImport.run(
                    text: text, file: "big.csv", locations: Self.locations, database: database)
                Issue.record("the import went through")
            } catch let errors as LedgerFileErrors {
                #expect(errors.errors.map(\.line) == [last], "\(errors.errors)")
                #expect(errors.errors.first?.message.contains("never closed") == true)
            }
            #expect(try await database.ledger(locations: Self.locations).transactions.isEmpty)
        }
    }

    @Test("a quote inside an unquoted field is text: the file is read in pieces as in one, and imported")
    func quoteInsideAnUnquotedField() async throws {
        // One odd quote early in the file, in a comment that is not quoted ("a 12\" drum").
        let text = Self.file(receipts: 20_000) { offset, line in
            offset == 2 + 2000 + 10 ? line.replacingOccurrences(of: "\"pallet 10, checked\"", with: "12\" drum") : line
        }
        let whole = try LedgerCSV.parse(text, file: "big.csv", parallel: false)
        #expect(try LedgerCSV.parse(text, file: "big.csv", parallel: true) == whole)
        #expect(whole.errors.isEmpty)
        try await Self.withStore { database in
            let outcome = try await LedgerImport.run(
                text: text, file: "big.csv", locations: Self.locations, database: database)
            #expect(outcome.added == 1 + 2000 + 20_000)
            let ledger = try await database.ledger(locations: Self.locations)
            #expect(ledger.transactions.first { $0.document == "DOC-10" }?.comment == "12\" drum")
        }
    }
}
