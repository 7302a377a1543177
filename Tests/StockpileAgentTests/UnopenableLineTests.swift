import Foundation
import Logging
import StockpileAgent
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Testing

/// A serial line that cannot be opened takes its devices offline with that reason, instead of
/// leaving them degraded for ever as a refusal would.
@Suite("a serial line that cannot be opened")
struct UnopenableLineTests {
    @Test("its devices go offline, and the health event says why in words")
    func devicesGoOfflineWithTheReason() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-noline-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("ttyUSB9").path
        let profile = try ShippedProfiles.load("Devices/sensors/xy-md02.yaml")
        let bus = SiteConfiguration.Bus.rtu(.init(name: "line", device: missing, baud: 9600, parity: .even))
        let device = SiteConfiguration.Device(
            name: "climate", profile: profile, profilePath: profile.file, bus: "line", unit: 1,
            poll: PollSchedule(every: .milliseconds(100)), timeout: .milliseconds(100), retries: 0, offlineAfter: 2,
            maximumQuarantine: .milliseconds(200), zone: "hall")
        let database = try AppDatabase.open(path: directory.appendingPathComponent("store.sqlite").path)
        let writer = ReadingWriter(database: database, logger: Logger(label: "test"))
        let poller = BusPoller(bus: bus, devices: [device], writer: writer, logger: Logger(label: "test"))
        let polling = Task { await poller.run() }
        await AgentFixtures.eventually { poller.health["climate"] == .some(.offline) }
        polling.cancel()
        await polling.value
        try await writer.flush()
        #expect(poller.health["climate"] == .some(.offline))
        let events = try await database.healthEvents(device: "climate", since: .distantPast)
        let offline = try #require(events.first { $0.to == .offline }, "\(events)")
        #expect(offline.reason.contains("cannot open the serial line \(missing)"), "\(offline.reason)")
        #expect(offline.reason.contains("No such file or directory"), "\(offline.reason)")
    }
}
