import Foundation
import StockpileDomain
import StockpileLedger
import StockpileStore

/// Issue 10 §7: ledger rows per second through `stockpile ledger import`'s path (RFC 4180 parse, every
/// ledger rule checked, SHA-256 chain, one write transaction), against plain inserts of the same
/// transaction rows into the same table with no parse, no checks and no hash, and against the import's own
/// 64-row insert statements alone over those rows (what the store's writer can take at all), in the same run.
enum LedgerBenchmark {
    static let goal = 150_000.0

    static func run(rounds: Int) async throws {
        print("== Ledger import: parse, check, chain (SHA-256), insert, into a WAL file ==")
        let lots = 20_000
        let perLot = 9
        let locations = (0..<100).map { index in
            LedgerLocation(
                name: "bay-\(index)", kind: .scale, zone: nil, device: "scale-\(index)",
                metrology: ScaleLocation(name: "bay-\(index)", capacity: 5000, division: 1, accuracyClass: .medium))
        }
        let text = csv(lots: lots, perLot: perLot)
        let rows = 1 + lots + lots * (1 + perLot)
        var importRates: [Double] = []
        var plainRates: [Double] = []
        var statementRates: [Double] = []
        var parseRates: [Double] = []
        var checkRates: [Double] = []
        for round in 1...rounds {
            let parseStart = ContinuousClock.now
            let parsed = try LedgerCSV.parse(text, file: "bench.csv")
            parseRates.append(Double(rows) / (ContinuousClock.now - parseStart).seconds)
            let checkStart = ContinuousClock.now
            let admitted = try BookLedger(locations: locations).admissible(records: parsed.rows.map(\.record))
            precondition(admitted.count == rows)
            checkRates.append(Double(rows) / (ContinuousClock.now - checkStart).seconds)

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "stockpile-ledger-bench-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = try AppDatabase.open(path: directory.appendingPathComponent("a.sqlite").path)
            let start = ContinuousClock.now
            let outcome = try await LedgerImport.run(
                text: text, file: "bench.csv", locations: locations, database: database)
            let elapsed = (ContinuousClock.now - start).seconds
            precondition(outcome.added == rows, "imported \(outcome.added) of \(rows)")
            importRates.append(Double(rows) / elapsed)

            let transactions = parsed.rows.compactMap { row -> LedgerTransaction? in
                if case .transaction(let transaction) = row.record { transaction } else { nil }
            }
            let plain = try AppDatabase.open(path: directory.appendingPathComponent("b.sqlite").path)
            let plainStart = ContinuousClock.now
            try await plain.benchmarkPlainLedgerInsert(transactions)
            plainRates.append(Double(transactions.count) / (ContinuousClock.now - plainStart).seconds)
            let statements = try AppDatabase.open(path: directory.appendingPathComponent("c.sqlite").path)
            let statementsStart = ContinuousClock.now
            try await statements.benchmarkLedgerInsertStatementsAlone(transactions)
            statementRates.append(Double(transactions.count) / (ContinuousClock.now - statementsStart).seconds)
            print(
                "round \(round): import \(Int(importRates.last!)) rows/s (\(rows) rows in \(format(elapsed)) s); "
                    + "plain insert \(Int(plainRates.last!)) rows/s; parse alone \(Int(parseRates.last!)) rows/s; "
                    + "checks alone \(Int(checkRates.last!)) rows/s; the import's insert statements alone "
                    + "\(Int(statementRates.last!)) rows/s")
        }
        let importRate = median(importRates)
        let plainRate = median(plainRates)
        let statementRate = median(statementRates)
        print(
            "median: import \(Int(importRate)) rows/s = \(format(importRate / plainRate)) × plain insert "
                + "(\(Int(plainRate)) rows/s) = \(format(importRate / statementRate)) × its insert statements "
                + "alone (\(Int(statementRate)) rows/s); goal \(Int(goal)) rows/s: "
                + "\(importRate >= goal ? "met" : "NOT met")")
    }

    /// One material, `lots` lots over 100 bays, each with an opening and `perLot` receipts.
    static func csv(lots: Int, perLot: Int) -> String {
        var lines = [
            "record,time,lot,material,location,quantity_kg,container_kind,container_count,tare_per_container_kg,name,"
                + "hygroscopic,actor,document,comment",
            "material,,,DY2O3,,,,,,Dy2O3,yes,,,",
        ]
        for lot in 0..<lots {
            lines.append("lot,,L\(lot),DY2O3,bay-\(lot % 100),,drum,3,18,,,,,")
        }
        let base = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        for lot in 0..<lots {
            let location = "bay-\(lot % 100)"
            lines.append("opening,\(UTCTimestamp.text(base)),L\(lot),,\(location),500,,,,,,clerk,OB-\(lot),")
            for receipt in 0..<perLot {
                let time = UTCTimestamp.text(base.addingTimeInterval(Double(60 * (receipt + 1))))
                lines.append(
                    "receipt,\(time),L\(lot),,\(location),12.5,,,,,,clerk,GRN-\(lot)-\(receipt),\"pallet \(receipt), checked\""
                )
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    static func format(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
