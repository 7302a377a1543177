import Foundation
import Logging
import StockpileAgent
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Testing

@Suite("Live movement detection")
struct MovementWatchServiceTests {
    static let siteText = """
        site: {id: t, name: Test}
        data_directory: data
        tcp:
          - {name: main, host: 127.0.0.1, port: 1502}
        devices:
          - name: bay-1-scale
            profile: scales/laumas-tlu.yaml
            bus: main
            unit: 1
            location: {name: bay-1, capacity: 5000, division: 1, class: III}
        """

    @Test("a pass after the flush finds the unrecorded step once; the next pass adds nothing")
    func scanOnce() async throws {
        let site = try SiteLoader.parse(
            Self.siteText, file: "site.yaml", profileDirectories: [ShippedProfiles.directory])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stockpile-watch-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try AppDatabase.open(path: directory + "/stockpile.sqlite")
        let start = Date(timeIntervalSince1970: 1_796_112_000)  // 2026-12-01T08:00:00Z
        try await database.appendLedger(
            [
                .material(
                    Material(
                        code: "DY2O3", name: "Dy2O3", hygroscopic: true, humidityLimit: 65,
                        moistureAllowancePercent: 0.2)),
                .lot(
                    Lot(
                        id: "DY-1", material: "DY2O3", location: "bay-1", containerKind: "drum", containerCount: 3,
                        tarePerContainer: 18)),
                .transaction(
                    LedgerTransaction(
                        kind: .opening, time: start.addingTimeInterval(-86_400), lot: "DY-1", location: "bay-1",
                        quantity: 696, actor: "clerk", document: "OB-1")),
            ], locations: site.ledgerLocations)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let writer = ReadingWriter(database: database, logger: logger)
        for second in stride(from: 0, to: 1200, by: 5) {
            let value = second < 600 ? 750.0 : 725.0
            await writer.append(
                Reading(
                    device: "bay-1-scale", point: "net", time: start.addingTimeInterval(Double(second)),
                    value: .number(value), quality: .good))
        }
        _ = try await writer.flush()
        let service = MovementWatchService(site: site, database: database, logger: logger)
        let now = start.addingTimeInterval(1200)
        let events = try await service.scan(now: now)
        #expect(events.map(\.event.location) == ["bay-1"])
        #expect(events.first?.event.changeKilograms == -25)
        #expect(events.first?.event.start == start.addingTimeInterval(600))
        #expect(try await service.scan(now: now.addingTimeInterval(30)).isEmpty)
        #expect(try await database.movementEvents(from: start, to: now).count == 1)
    }
}
