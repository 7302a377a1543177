import ArgumentParser
import DeviceAccess
import Foundation
import StockpileAlerts
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
            Output.line(JSONText.line(rows.map(\.json), pretty: true))
            return
        }
        var table = TextTable(header: ["device", "health", "values", "age", "quality", "errors 1h", "since"])
        for row in rows {
            table.rows.append([
                row.device, row.health ?? "-", row.summary.isEmpty ? "none" : row.summary, row.age.map(Self.age) ?? "-",
                row.quality ?? "-", "\(row.errors)", row.healthReason ?? "",
            ])
        }
        Output.line(table.render())
        // What the agent has told whom: open alerts, and each receiver's deliveries with its last failure.
        let alerts: [Alert]
        let deliveries: [ReceiverDelivery]
        do {
            alerts = try await database.alerts(includeResolved: false)
            deliveries = try await database.deliveries()
        } catch {
            // A store no agent of this version has opened yet has no alert tables: the devices still show.
            Output.line("alerts: not in this store yet (\(error))")
            return
        }
        let firing = alerts.filter { $0.state.isFiring }
        Output.line(
            "alerts: \(firing.count) firing (\(firing.count { $0.severity == .critical }) critical, "
                + "\(firing.count { $0.state == .acknowledged }) acknowledged), "
                + "\(alerts.count { $0.state == .pending }) pending")
        guard !deliveries.isEmpty else { return }
        var receivers = TextTable(header: ["receiver", "sent", "failed", "last sent", "last failure", "error"])
        for delivery in deliveries {
            receivers.rows.append([
                delivery.receiver, "\(delivery.sent)", "\(delivery.failed)",
                delivery.lastSuccessAt.map { Self.age(now.timeIntervalSince($0)) + " ago" } ?? "never",
                delivery.lastFailureAt.map { Self.age(now.timeIntervalSince($0)) + " ago" } ?? "never",
                delivery.lastError ?? "",
            ])
        }
        Output.line(receivers.render())
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

/// One device in `stockpile status`: its health and its points' latest good values.
struct StatusRow {
    /// One point's newest good value, as a script reads it.
    struct Value {
        var point: String
        var value: PointValue?
        var unit: String?
        /// The quality the value is shown with now (see `HeldValue`): stale once it stopped being refreshed.
        var quality: ReadingQuality
        /// When the value was read (good), nil if never.
        var time: Date?
        var age: Double?
        /// The profile's point, for its resolution.
        var profilePoint: ProfilePoint?
    }

    var device: String
    /// online, degraded, offline; `stale` when the agent has stopped writing (the newest reading is
    /// older than stale_after_cycles poll intervals) although the last transition said online.
    var health: String?
    /// The transition that set the health: "2026-…Z: no answer …".
    var healthReason: String?
    var healthSince: Date?
    /// Seconds since the main point's last good reading.
    var age: Double?
    /// The main point's quality now.
    var quality: String?
    /// Bad and offline readings in the last hour.
    var errors: Int
    /// Every point, main points first.
    var values: [Value] = []
    /// How many of `values` are the device's main points.
    var mainCount = 0

    /// `gross 2400 kg, stable` · `temperature 17.0 °C, humidity 41.3 %RH` · `doors open: door_2`.
    var summary: String {
        let main = values.prefix(mainCount)
        let doors = main.filter { $0.point.hasPrefix("door_") }
        if !doors.isEmpty, doors.count == main.count {
            let open = doors.filter { $0.value == .bool(true) }.map(\.point)
            if doors.allSatisfy({ $0.value == nil }) { return "" }
            return open.isEmpty ? "all doors closed" : "doors open: \(open.joined(separator: ", "))"
        }
        return main.compactMap { value -> String? in
            guard let reading = value.value else { return nil }
            switch reading {
            case .bool(let state): return state ? value.point : "not \(value.point)"
            default: return "\(value.point) \(PointDisplay.textWithUnit(reading, point: value.profilePoint))"
            }
        }.joined(separator: ", ")
    }

    /// The row as `status --json` writes it: snake_case keys, numbers as numbers, ages in seconds to the ms.
    var json: [String: Any] {
        func seconds(_ value: Double?) -> Any { value.map { ($0 * 1000).rounded() / 1000 } ?? NSNull() }
        func time(_ date: Date?) -> Any { date.map(TimeArgument.format) ?? NSNull() }
        return [
            "device": device, "health": health ?? NSNull(), "health_reason": healthReason ?? NSNull(),
            "health_since": time(healthSince), "age_s": seconds(age), "quality": quality ?? NSNull(),
            "errors_last_hour": errors,
            "main_points": values.prefix(mainCount).map(\.point),
            "values": values.map { value -> [String: Any] in
                let reading: Any =
                    switch value.value {
                    case .number(let number)?: number
                    case .bool(let state)?: state
                    case .text(let text)?: text
                    case nil: NSNull()
                    }
                return [
                    "point": value.point, "value": reading, "unit": value.unit ?? NSNull(),
                    "quality": value.quality.rawValue, "time": time(value.time), "age_s": seconds(value.age),
                ]
            },
        ]
    }

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
        let interval = device.map { $0.poll.every }
        let staleAfter = device?.staleAfterCycles ?? 3
        func held(_ point: PointLatest) -> ReadingQuality {
            let age = Duration.milliseconds(Int64(max(now.timeIntervalSince(point.time), 0) * 1000))
            return HeldValue.quality(
                newest: point.quality, age: age, interval: interval, staleAfterCycles: staleAfter,
                health: status.health?.to)
        }
        // Main points first, in the order PointDisplay gives; without a site, the newest good point.
        let mainNames =
            device.map { PointDisplay.mainPoints(of: $0.profile) }
            ?? status.points.filter { $0.goodTime != nil }.max { $0.goodTime! < $1.goodTime! }.map { [$0.point] } ?? []
        let ordered =
            mainNames.compactMap { name in status.points.first { $0.point == name } }
            + status.points.filter { !mainNames.contains($0.point) }
        row.mainCount = ordered.count - status.points.filter { !mainNames.contains($0.point) }.count
        row.values = ordered.map { point in
            let profilePoint = device?.profile.point(named: point.point)
            return Value(
                point: point.point, value: point.goodValue, unit: profilePoint?.unit, quality: held(point),
                time: point.goodTime, age: point.goodTime.map { max(now.timeIntervalSince($0), 0) },
                profilePoint: profilePoint)
        }
        if row.mainCount == 0, !row.values.isEmpty { row.mainCount = 1 }
        if let health = status.health {
            row.health = health.to.rawValue
            row.healthReason = "\(TimeArgument.format(health.time)): \(health.reason)"
            row.healthSince = health.time
        }
        if let main = row.values.first {
            row.age = main.age
            row.quality = main.quality.rawValue
            // The agent stopped writing: every point held past its freshness, though the device was online.
            if row.health != DeviceHealth.offline.rawValue, row.values.allSatisfy({ $0.quality == .stale }) {
                row.health = "stale"
            }
        }
        return row
    }
}
