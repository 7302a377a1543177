import Foundation
import Logging
import StockpileDomain
import StockpileLedger
import StockpileStore

/// Issue 10 §7: `reconcile` over 100,000 scale locations with 1,000,000 ledger transactions and 10 good
/// `net` readings each in the window, through `ReconciliationBuilder.build` (what the CLI calls), against
/// the plain SQL aggregate over the same tables (book per location, mean of the window's good readings per
/// device) timed in the same run.
enum ReconcileBenchmark {
    static let goalSeconds = 2.0

    static func run(
        locations: Int = 100_000, transactionsPerLocation: Int = 10, readingsPerLocation: Int = 10
    )
        async throws
    {
        print(
            "== Reconcile: \(locations) locations, \(locations * transactionsPerLocation) transactions, "
                + "\(readingsPerLocation) readings each in the window ==")
        let site = try makeSite(locations: locations)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stockpile-reconcile-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(path: directory.appendingPathComponent("store.sqlite").path)

        let opening = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        let instant = opening.addingTimeInterval(86_400)
        let setupStart = ContinuousClock.now
        var records: [LedgerRecord] = [.material(Material(code: "DY2O3", name: "Dy2O3", hygroscopic: false))]
        records.reserveCapacity(1 + locations * (1 + transactionsPerLocation))
        for index in 0..<locations {
            records.append(
                .lot(
                    Lot(
                        id: "L\(index)", material: "DY2O3", location: "bay-\(index)", containerKind: "drum",
                        containerCount: 2, tarePerContainer: 18)))
        }
        for index in 0..<locations {
            for entry in 0..<transactionsPerLocation {
                records.append(
                    .transaction(
                        LedgerTransaction(
                            kind: entry == 0 ? .opening : .receipt,
                            time: opening.addingTimeInterval(Double(60 * entry)), lot: "L\(index)",
                            location: "bay-\(index)", quantity: entry == 0 ? 500 : 12.5, actor: "clerk",
                            document: "D-\(index)-\(entry)")))
            }
        }
        try await database.appendLedger(records, locations: site.ledgerLocations)
        // Every location's book: 500 + 9 × 12.5 kg; the scale's net shows it plus the two drums' 18 kg tares.
        let book = 500 + Double(transactionsPerLocation - 1) * 12.5 + 2 * 18
        let writer = ReadingWriter(database: database, logger: Logger(label: "stockpile-bench.reconcile"))
        for first in stride(from: 0, to: locations, by: 10_000) {
            var readings: [Reading] = []
            for index in first..<min(locations, first + 10_000) {
                for sample in 0..<readingsPerLocation {
                    readings.append(
                        Reading(
                            device: "scale-\(index)", point: "net",
                            time: instant.addingTimeInterval(-Double(10 * (sample + 1))),
                            value: .number(book + Double(sample % 3 - 1)), quality: .good))
                }
            }
            await writer.append(readings)
            try await writer.flush()
        }
        print("setup: \(format((ContinuousClock.now - setupStart).seconds)) s (import and readings, not timed)")

        let start = ContinuousClock.now
        let report = try await ReconciliationBuilder.build(site: site, database: database, at: instant)
        let elapsed = (ContinuousClock.now - start).seconds
        precondition(report.locations.count == locations, "reconciled \(report.locations.count) of \(locations)")
        let statuses = Dictionary(grouping: report.locations, by: \.status).mapValues(\.count)
        print(
            "statuses: \(statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        precondition(statuses == ["ok": locations], "every location balances with its book")

        let sqlStart = ContinuousClock.now
        let aggregate = try await database.benchmarkPlainReconcileAggregate(
            at: instant, window: Reconciler.defaultWindow)
        let sqlElapsed = (ContinuousClock.now - sqlStart).seconds
        precondition(aggregate.locations == locations && aggregate.devices == locations, "\(aggregate)")
        print(
            "reconcile \(format(elapsed)) s (\(Int(Double(locations) / elapsed)) locations/s); plain SQL aggregate "
                + "\(format(sqlElapsed)) s; ratio \(format(elapsed / sqlElapsed)) × SQL; goal under "
                + "\(format(goalSeconds)) s: \(elapsed < goalSeconds ? "met" : "NOT met")")
    }

    /// `locations` scales of the shipped Laumas profile, one bay each, parsed once and repeated: a site file of
    /// 100,000 devices would time the YAML parser, not the reconciliation.
    static func makeSite(locations: Int) throws -> SiteConfiguration {
        let text = """
            site: {id: reconcile-bench, name: Reconcile benchmark}
            data_directory: unused
            tcp:
              - {name: main, host: 127.0.0.1, port: 1502}
            devices:
              - {name: scale-0, profile: scales/laumas-tlu.yaml, bus: main, unit: 1, location: {name: bay-0, capacity: 5000, division: 1, class: III}}
            """
        var site = try SiteLoader.parse(text, file: "reconcile-bench.yaml", profileDirectories: ["Devices"])
        let template = site.devices[0]
        site.devices = (0..<locations).map { index in
            var device = template
            device.name = "scale-\(index)"
            device.unit = UInt8(1 + index % 247)
            device.location?.name = "bay-\(index)"
            return device
        }
        return site
    }

    static func format(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
