import Foundation
import GRDB
import Logging
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Testing

/// The demo site in a fresh data directory, its ledger imported by the real `stockpile` binary.
struct LedgerSite {
    let directory: String
    let site: String

    var store: String { directory + "/data/stockpile.sqlite" }
    static let demoLedger = repository.appendingPathComponent("Simulators/demo-warehouse/ledger.csv").path

    /// A copy of the demo site whose data directory is a fresh temporary one.
    static func make() throws -> LedgerSite {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockpile-ledger-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let demo = try String(
            contentsOf: repository.appendingPathComponent("Simulators/demo-warehouse/site.yaml"), encoding: .utf8)
        let text = demo.replacingOccurrences(
            of: #"data_directory: demo-data[^\n]*"#, with: "data_directory: \(directory)/data",
            options: .regularExpression)
        let site = directory + "/site.yaml"
        try text.write(toFile: site, atomically: true, encoding: .utf8)
        return LedgerSite(directory: directory, site: site)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `stockpile ARGUMENTS --site SITE --devices Devices/`.
    func run(_ arguments: [String]) async throws -> StockpileRunner.Outcome {
        try await StockpileRunner.run(arguments + ["--site", site, "--devices", ShippedProfiles.directory])
    }

    func write(_ text: String, to name: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite("stockpile ledger")
struct LedgerCommandTests {
    @Test("import writes the demo ledger once; a second import writes nothing; export round-trips")
    func importTwiceAndExport() async throws {
        let site = try LedgerSite.make()
        defer { site.remove() }
        let first = try await site.run(["ledger", "import", LedgerSite.demoLedger])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("16 records imported, 0 already in the ledger"))
        let second = try await site.run(["ledger", "import", LedgerSite.demoLedger])
        #expect(second.standardOutput.contains("0 records imported, 16 already in the ledger"))
        let exported = try await site.run(["ledger", "export"])
        #expect(exported.status == 0)

        let other = try LedgerSite.make()
        defer { other.remove() }
        let file = try other.write(exported.standardOutput, to: "exported.csv")
        let reimport = try await other.run(["ledger", "import", file])
        #expect(reimport.status == 0, "\(reimport.standardError)")
        #expect(try await other.run(["ledger", "export"]).standardOutput == exported.standardOutput)
        // The demo file's quoted comments with commas survive the trip.
        #expect(exported.standardOutput.contains("\"48 bags, 2,400 kg gross\""))
    }

    @Test("a bad file is refused whole: every error at its line and column, and the store unchanged")
    func importErrors() async throws {
        let site = try LedgerSite.make()
        defer { site.remove() }
        _ = try await site.run(["ledger", "import", LedgerSite.demoLedger])
        let before = try await site.run(["ledger", "export"]).standardOutput
        let bad = try site.write(
            """
            record,time,lot,location,quantity_kg,actor,document,comment
            issue,2026-02-01T00:00:00Z,DY-2026-027,bay-b1,abc,clerk,ISS-1,
            issue,2026-02-01T00:00:00Z,DY-2026-027,bay-b1,5000,clerk,ISS-2,"a comment
            on two lines"
            receipt,2026-02-01T00:00:00Z,NOPE,bay-b1,10,clerk,GRN-1,
            receipt,2026-02-01T00:00:00Z,DY-2026-027,bay-z9,10,clerk,GRN-2,
            receipt,2026-02-01T00:00:00Z,DY-2026-027,bay-b1,10,clerk,OB-2026-004,
            receipt,yesterday,DY-2026-027,bay-b1,10,clerk,GRN-3,

            """, to: "bad.csv")
        let outcome = try await site.run(["ledger", "import", bad])
        #expect(outcome.status == 1)
        let lines = outcome.standardError.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "stockpile: \(bad):2:5: quantity_kg: \"abc\" is not a number",
                "stockpile: \(bad):3:5: quantity_kg: lot DY-2026-027 would hold -4304.0 kg after this issue",
                "stockpile: \(bad):5:3: lot: no lot NOPE in the ledger",
                "stockpile: \(bad):6:4: location: no location bay-z9 in the site file",
                "stockpile: \(bad):7:7: document: document OB-2026-004 is already in the ledger with other content",
                "stockpile: \(bad):8:2: time: \"yesterday\" is not an ISO 8601 time (2026-12-01T08:00:00Z)",
                "stockpile: \(bad): 6 errors, nothing imported",
            ])
        #expect(try await site.run(["ledger", "export"]).standardOutput == before)
    }

    @Test("ledger verify passes, then names the entry an UPDATE or a DELETE behind the store's back touched")
    func verifyAfterTampering() async throws {
        let site = try LedgerSite.make()
        defer { site.remove() }
        _ = try await site.run(["ledger", "import", LedgerSite.demoLedger])
        let intact = try await site.run(["ledger", "verify"])
        #expect(intact.status == 0)
        #expect(intact.standardOutput.hasPrefix("ledger intact: 6 transactions, head "))

        let queue = try DatabaseQueue(path: site.store)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER ledger_transaction_no_update; DROP TRIGGER ledger_transaction_no_delete")
            try db.execute(sql: "UPDATE ledger_transaction SET quantity = 671 WHERE document = 'OB-2026-004'")
        }
        let altered = try await site.run(["ledger", "verify"])
        #expect(altered.status == 1)
        #expect(altered.standardError.contains("broken at transaction 4 (altered)"))
        #expect(altered.standardError.contains("OB-2026-004"))

        try await queue.write { db in
            try db.execute(sql: "UPDATE ledger_transaction SET quantity = 696 WHERE document = 'OB-2026-004'")
            try db.execute(sql: "DELETE FROM ledger_transaction WHERE sequence = 2")
        }
        let missing = try await site.run(["ledger", "verify"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("broken at transaction 2 (missing)"))
    }

    @Test("ledger record: a receipt is recorded; an adjustment its actor approves is refused by option name")
    func record() async throws {
        let site = try LedgerSite.make()
        defer { site.remove() }
        _ = try await site.run(["ledger", "import", LedgerSite.demoLedger])
        let receipt = try await site.run([
            "ledger", "record", "--kind", "receipt", "--lot", "NDPR-2026-140", "--location", "bay-a2", "--kg", "294",
            "--actor", "receiving-clerk", "--document", "GRN-2026-0412", "--time", "2026-06-01T11:00:00Z",
        ])
        #expect(receipt.status == 0, "\(receipt.standardError)")
        let show = try await site.run([
            "ledger", "show", "--at", "2026-06-01T12:00:00Z", "--location", "bay-a2", "--json",
        ])
        let object = try JSONSerialization.jsonObject(with: Data(show.standardOutput.utf8)) as? [String: Any]
        let lots = object?["lots"] as? [[String: Any]] ?? []
        #expect(lots.compactMap { $0["book"] as? Double }.reduce(0, +) == 2125.5)
        #expect(lots.allSatisfy { $0["unit"] as? String == "kg" })
        let before = try await site.run(["ledger", "show", "--at", "2026-06-01T10:59:59Z", "--location", "bay-a2"])
        #expect(!before.standardOutput.contains("NDPR-2026-140"))

        let adjustment = try await site.run([
            "ledger", "record", "--kind", "adjustment", "--lot", "DY-2026-027", "--location", "bay-b1", "--kg=-25",
            "--actor", "supervisor", "--approver", "supervisor", "--reason", "shortage", "--document", "ADJ-1",
        ])
        #expect(adjustment.status == 1)
        #expect(adjustment.standardError.contains("--approver: supervisor cannot approve their own adjustment"))
    }

    @Test("count sheet is blind; count record is a cut-off; the counter cannot approve the settling adjustment")
    func counts() async throws {
        let site = try LedgerSite.make()
        defer { site.remove() }
        _ = try await site.run(["ledger", "import", LedgerSite.demoLedger])
        let sheet = try await site.run(["count", "sheet", "--location", "bay-b1"])
        #expect(sheet.status == 0)
        #expect(sheet.standardOutput.contains("DY-2026-027"))
        #expect(sheet.standardOutput.contains("3 drum"))
        #expect(!sheet.standardOutput.contains("696"))
        let count = try await site.run([
            "count", "record", "--location", "bay-b1", "--kg", "671", "--counter", "auditor", "--document", "CNT-1",
            "--time", "2026-06-01T12:00:00Z",
        ])
        #expect(count.status == 0, "\(count.standardError)")
        let byCounter = try await site.run([
            "ledger", "record", "--kind", "adjustment", "--lot", "DY-2026-027", "--location", "bay-b1", "--kg=-25",
            "--actor", "supervisor", "--approver", "auditor", "--reason", "count CNT-1", "--document", "ADJ-1",
            "--time", "2026-06-01T13:00:00Z",
        ])
        #expect(byCounter.status == 1)
        #expect(byCounter.standardError.contains("--approver: auditor counted bay-b1 (CNT-1)"))
        let backdated = try await site.run([
            "ledger", "record", "--kind", "issue", "--lot", "DY-2026-027", "--location", "bay-b1", "--kg", "1",
            "--actor", "clerk", "--document", "ISS-9", "--time", "2026-06-01T11:00:00Z",
        ])
        #expect(backdated.status == 1)
        #expect(backdated.standardError.contains("--time: bay-b1 was counted at 2026-06-01T12:00:00Z"))
        let settled = try await site.run([
            "ledger", "record", "--kind", "adjustment", "--lot", "DY-2026-027", "--location", "bay-b1", "--kg=-25",
            "--actor", "supervisor", "--approver", "controller", "--reason", "count CNT-1", "--document", "ADJ-1",
            "--time", "2026-06-01T13:00:00Z",
        ])
        #expect(settled.status == 0, "\(settled.standardError)")
    }
}
