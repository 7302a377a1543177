import Foundation
import Logging
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Testing

/// Reconciliation of the demo ledger against readings written into a real store the way the agent
/// writes them, through the real `stockpile` binary.
///
/// At noon: every scale shows its opening gross, except bay-a2 (+300 kg: the recorded receipt of
/// NDPR-2026-140, 294 kg in 12 bags of 0.5 kg), bay-b1 (−25 kg: the unrecorded removal) and bay-b2
/// (+2 kg on Tb4O7 with bay B at 70 %RH for two hours: within ±1 kg + 0.3 % × 490 kg = 2.47 kg).
@Suite("stockpile reconcile")
struct ReconcileCommandTests {
    static let noon = UTCTimestamp.parse("2026-06-01T12:00:00Z")!

    /// Gross on the platform at noon, per scale device, and the profile's weight points.
    static let scales: [(device: String, gross: Double, points: [String])] = [
        ("bay-a1-scale", 2400, ["gross", "net"]), ("bay-a2-scale", 2150, ["gross", "net"]),
        ("bay-a3-scale", 1000, ["gross", "tare"]), ("bay-b1-scale", 725, ["gross", "tare"]),
        ("bay-b2-scale", 502, ["gross", "net"]), ("bay-b3-scale", 320, ["gross", "net"]),
    ]

    static func prepare() async throws -> LedgerSite {
        let site = try LedgerSite.make()
        let imported = try await site.run(["ledger", "import", LedgerSite.demoLedger])
        #expect(imported.status == 0, "\(imported.standardError)")
        let receipt = try await site.run([
            "ledger", "record", "--kind", "receipt", "--lot", "NDPR-2026-140", "--location", "bay-a2", "--kg", "294",
            "--actor", "receiving-clerk", "--document", "GRN-2026-0412", "--time", "2026-06-01T11:00:00Z",
        ])
        #expect(receipt.status == 0, "\(receipt.standardError)")
        let database = try AppDatabase.open(path: site.store)
        let writer = ReadingWriter(
            database: database, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        var readings: [Reading] = []
        for second in stride(from: -290.0, through: 0, by: 30) {
            let time = noon.addingTimeInterval(second)
            for scale in scales {
                for point in scale.points {
                    let value = point == "tare" ? 0 : scale.gross
                    readings.append(
                        Reading(device: scale.device, point: point, time: time, value: .number(value), quality: .good))
                }
            }
            // One reading in motion on bay-b1: it stays out of the median.
            readings.append(
                Reading(
                    device: "bay-b1-scale", point: "gross", time: time.addingTimeInterval(1), value: .number(760),
                    quality: .uncertain))
        }
        for minute in 0..<120 {
            let time = noon.addingTimeInterval(Double(-7200 + minute * 60))
            readings.append(
                Reading(device: "zone-b-climate", point: "humidity", time: time, value: .number(70), quality: .good))
            readings.append(
                Reading(device: "zone-a-climate", point: "humidity", time: time, value: .number(40), quality: .good))
        }
        await writer.append(readings)
        _ = try await writer.flush()
        return site
    }

    @Test("bay-b1 is 25 kg short, bay-b2's gain is moisture, the receipt reconciles, everything else is ok")
    func statuses() async throws {
        let site = try await Self.prepare()
        defer { site.remove() }
        let outcome = try await site.run(["reconcile", "--at", "2026-06-01T12:00:00Z", "--format", "json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let file = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        let content = file?["content"] as? [String: Any]
        let locations = content?["locations"] as? [[String: Any]] ?? []
        let status = Dictionary(
            uniqueKeysWithValues: locations.map { ($0["location"] as? String ?? "", $0["status"] as? String ?? "") })
        #expect(
            status == [
                "bay-a1": "ok", "bay-a2": "ok", "bay-a3": "ok", "bay-b1": "shortage", "bay-b2": "moisture gain",
                "bay-b3": "ok",
            ])
        let bayB1 = locations.first { $0["location"] as? String == "bay-b1" }
        #expect(bayB1?["variance_kg"] as? Double == -25)
        #expect(bayB1?["physical_kg"] as? Double == 671)
        #expect(bayB1?["unit"] as? String == "kg")
        let readings = bayB1?["readings"] as? [String: Any]
        #expect(readings?["point"] as? String == "gross")
        #expect(readings?["good_count"] as? Int == 10)
        #expect(readings?["count"] as? Int == 20)
        let tolerance = bayB1?["tolerance"] as? [String: Any]
        #expect(tolerance?["kg"] as? Double == 2)
        #expect(tolerance?["row"] as? String == "501–2000 d")
        let bayB2 = locations.first { $0["location"] as? String == "bay-b2" }
        let lot = (bayB2?["lots"] as? [[String: Any]])?.first
        let humidity = lot?["humidity"] as? [String: Any]
        #expect(humidity?["hours_above"] as? Double == 2)
        #expect(humidity?["maximum_relative_humidity"] as? Double == 70)
        let cutOff = content?["cut_off"] as? [String: Any]
        #expect(cutOff?["document"] as? String == "GRN-2026-0412")
        #expect((file?["content_sha256"] as? String)?.count == 64)
    }

    @Test("the same store and --at give byte-identical output in every format, and verify accepts each")
    func reproducible() async throws {
        let site = try await Self.prepare()
        defer { site.remove() }
        var digests: Set<String> = []
        for format in ["table", "csv", "json", "html"] {
            let path = site.directory + "/report." + format
            let arguments = ["reconcile", "--at", "2026-06-01T12:00:00Z", "--format", format]
            _ = try await site.run(arguments + ["--out", path])
            let again = try await site.run(arguments)
            let written = try String(contentsOfFile: path, encoding: .utf8)
            #expect(again.standardOutput == written, "\(format)")
            let verified = try await site.run(["reconcile", "verify", path])
            #expect(verified.status == 0, "\(format): \(verified.standardError)")
            let match = written.range(of: "[0-9a-f]{64}", options: .regularExpression).map { String(written[$0]) }
            if let line = verified.standardOutput.range(of: "content-sha256 [0-9a-f]{64}", options: .regularExpression)
            {
                digests.insert(String(verified.standardOutput[line].suffix(64)))
            }
            #expect(match != nil)
        }
        // One content, one hash, whatever the format.
        #expect(digests.count == 1)
    }

    @Test("reconcile verify fails on a hand edit of an HTML report, and on a table report after the store changed")
    func verifyFailures() async throws {
        let site = try await Self.prepare()
        defer { site.remove() }
        let html = site.directory + "/report.html"
        _ = try await site.run(["reconcile", "--at", "2026-06-01T12:00:00Z", "--format", "html", "--out", html])
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(text.contains("@page { size: A4"))
        #expect(!text.contains("http://") && !text.contains("https://"))
        try text.replacingOccurrences(of: "shortage", with: "ok").write(toFile: html, atomically: true, encoding: .utf8)
        let edited = try await StockpileRunner.run(["reconcile", "verify", html])
        #expect(edited.status == 1)
        #expect(edited.standardError.contains("it was edited"))

        let table = site.directory + "/report.txt"
        _ = try await site.run(["reconcile", "--at", "2026-06-01T12:00:00Z", "--out", table])
        #expect(try await site.run(["reconcile", "verify", table]).status == 0)
        _ = try await site.run([
            "ledger", "record", "--kind", "issue", "--lot", "DY-2026-027", "--location", "bay-b1", "--kg", "25",
            "--actor", "clerk", "--document", "ISS-LATE", "--time", "2026-06-01T11:59:00Z",
        ])
        let changed = try await site.run(["reconcile", "verify", table])
        #expect(changed.status == 1)
        #expect(changed.standardError.contains("the store gives a different report"))
    }
}

@Suite("stockpile reconcile --between")
struct MovementScanCommandTests {
    @Test("the unrecorded 25 kg removal is an event, the recorded receipt is not; a later issue clears it")
    func between() async throws {
        let site = try LedgerSite.make()
        defer { site.remove() }
        _ = try await site.run(["ledger", "import", LedgerSite.demoLedger])
        _ = try await site.run([
            "ledger", "record", "--kind", "receipt", "--lot", "NDPR-2026-140", "--location", "bay-a2", "--kg", "294",
            "--actor", "receiving-clerk", "--document", "GRN-2026-0412", "--time", "2026-06-01T11:05:00Z",
        ])
        let database = try AppDatabase.open(path: site.store)
        let writer = ReadingWriter(
            database: database, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let start = UTCTimestamp.parse("2026-06-01T10:30:00Z")!
        var readings: [Reading] = []
        for step in 0..<360 {
            let time = start.addingTimeInterval(Double(step * 10))
            let late = time >= UTCTimestamp.parse("2026-06-01T11:00:00Z")!
            for (device, before, after) in [("bay-b1-scale", 750.0, 725.0), ("bay-a2-scale", 1850.0, 2150.0)] {
                readings.append(
                    Reading(
                        device: device, point: "gross", time: time, value: .number(late ? after : before),
                        quality: .good))
            }
        }
        await writer.append(readings)
        _ = try await writer.flush()

        let arguments = ["reconcile", "--between", "2026-06-01T10:30:00Z", "2026-06-01T11:30:00Z", "--format", "json"]
        let first = try await site.run(arguments)
        #expect(first.status == 0, "\(first.standardError)")
        let events = try JSONSerialization.jsonObject(with: Data(first.standardOutput.utf8)) as? [[String: Any]] ?? []
        #expect(events.count == 1)
        #expect(events.first?["location"] as? String == "bay-b1")
        #expect(events.first?["kind"] as? String == "unrecorded movement")
        #expect(events.first?["change"] as? Double == -25)
        #expect(events.first?["start"] as? String == "2026-06-01T11:00:00Z")
        #expect(events.first?["cleared_by"] is NSNull)
        // Detecting the same span again stores nothing twice.
        let again = try await site.run(arguments)
        #expect((try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [Any])?.count == 1)

        _ = try await site.run([
            "ledger", "record", "--kind", "issue", "--lot", "DY-2026-027", "--location", "bay-b1", "--kg", "25",
            "--actor", "clerk", "--document", "ISS-2026-0099", "--time", "2026-06-01T11:02:00Z",
        ])
        let cleared = try await site.run(arguments)
        let after = try JSONSerialization.jsonObject(with: Data(cleared.standardOutput.utf8)) as? [[String: Any]] ?? []
        #expect(after.count == 1)
        #expect(after.first?["cleared_by"] as? String == "ISS-2026-0099")
    }
}
