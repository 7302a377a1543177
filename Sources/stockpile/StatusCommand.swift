import ArgumentParser
import DeviceAccess
import Foundation
import StockpileDomain
import StockpileStore

/// `stockpile status`: every device's health, last good reading, its age and quality, and errors.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every device: health, last good reading, its age and quality, errors in the last hour.",
        discussion: """
            Reads the store while the agent writes it. With --site, every device of the site is
            listed (also those without readings yet), and a value not refreshed for
            stale_after_cycles poll intervals shows as stale, whether the device stopped answering
            or the agent stopped.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "A JSON array, one object per device.")
    var json = false

    func run() async throws {
        let site = try storeOptions.loadSite()
        let database = try storeOptions.open(site: site)
        let now = Date()
        let statuses: [DeviceStatus]
        do {
            statuses = try await database.status(now: now)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        let rows = StatusRow.rows(statuses, site: site, now: now)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Output.line(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        var table = TextTable(header: ["device", "health", "last good", "age", "quality", "errors 1h", "since"])
        for row in rows {
            table.rows.append([
                row.device, row.health ?? "-", row.lastGood ?? "none", row.age.map(Self.age) ?? "-",
                row.quality ?? "-", "\(row.errors)", row.healthReason ?? "",
            ])
        }
        Output.line(table.render())
    }

    /// `850ms`, `12s`, `3m 5s`, `2h 10m`, `4d 1h`.
    static func age(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        let whole = Int(seconds)
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m \(whole % 60)s" }
        if whole < 86400 { return "\(whole / 3600)h \(whole % 3600 / 60)m" }
        return "\(whole / 86400)d \(whole % 86400 / 3600)h"
    }
}

/// One device in `stockpile status`.
struct StatusRow: Encodable {
    var device: String
    var health: String?
    /// The transition that set the health: "offline since 05:12:03Z: no answer …".
    var healthReason: String?
    /// `gross = 1520 kg`.
    var lastGood: String?
    /// Seconds since the last good reading.
    var age: Double?
    /// The quality the device's main point is shown with now (see `HeldValue`).
    var quality: String?
    /// Bad and offline readings in the last hour.
    var errors: Int

    static func rows(_ statuses: [DeviceStatus], site: SiteConfiguration?, now: Date) -> [StatusRow] {
        let byName = Dictionary(uniqueKeysWithValues: statuses.map { ($0.device, $0) })
        var names = site?.devices.map(\.name) ?? []
        names += statuses.map(\.device).filter { name in !names.contains(name) }
        return names.map { name in
            row(name, status: byName[name], device: site?.device(named: name), now: now)
        }
    }

    private static func row(
        _ name: String, status: DeviceStatus?, device: SiteConfiguration.Device?, now: Date
    ) -> StatusRow {
        var row = StatusRow(device: name, errors: status?.recentErrorCount ?? 0)
        guard let status else { return row }
        if let health = status.health {
            row.health = health.to.rawValue
            row.healthReason = "\(TimeArgument.format(health.time)): \(health.reason)"
        }
        // The device's main point: its profile's first measurement; without a site, its newest good point.
        let main =
            device?.profile.points.first { $0.pointClass == .measurement }
            .flatMap { point in status.points.first { $0.point == point.name } }
            ?? status.points.filter { $0.goodTime != nil }.max { $0.goodTime! < $1.goodTime! }
            ?? status.points.first
        guard let main else { return row }
        if let goodTime = main.goodTime, let value = main.goodValue {
            let unit = device?.profile.point(named: main.point)?.unit.map { " \($0)" } ?? ""
            row.lastGood = "\(main.point) = \(value)\(unit)"
            row.age = max(now.timeIntervalSince(goodTime), 0)
        }
        let interval = device.map { $0.poll.every }
        let age = Duration.milliseconds(Int64(max(now.timeIntervalSince(main.time), 0) * 1000))
        row.quality =
            HeldValue.quality(
                newest: main.quality, age: age, interval: interval, staleAfterCycles: device?.staleAfterCycles ?? 3,
                health: status.health?.to
            ).rawValue
        return row
    }
}
