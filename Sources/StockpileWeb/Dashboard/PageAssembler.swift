import Foundation
import Hummingbird
import StockpileAlerts
import StockpileDashboard
import StockpileDomain
import StockpileLedger
import StockpileStore

/// Builds the dashboard's view models from the store: the same reads the API makes, shared snapshots included,
/// so a page and the API agree on what they show.
struct PageAssembler: Sendable {
    let backend: WebBackend
    let snapshot: StatusSnapshot
    let shelf: ReportShelf
    let climate: ClimateHistory

    func overview(chrome: PageChrome, context: WebRequestContext) async throws -> OverviewPage {
        let now = backend.clock()
        let report = try await shelf.reportAsOfNow()
        let status = try await snapshot.status(now: now)
        let byDevice = Dictionary(status.map { ($0.device, $0) }, uniquingKeysWith: { first, _ in first })
        let names = Dictionary(report.totals.map { ($0.material, $0.name) }, uniquingKeysWith: { first, _ in first })
        let bays = report.locations.map { line in
            OverviewPage.Bay(
                location: line.location, zone: line.zone ?? "", device: line.device,
                lots: line.lots.map {
                    OverviewPage.Lot(
                        id: $0.lot, materialCode: $0.material, materialName: names[$0.material] ?? $0.material)
                },
                bookKg: line.bookKg, physicalKg: line.physicalKg, varianceKg: line.varianceKg,
                status: StockStatus(rawValue: line.status) ?? .unknown)
        }
        var zones: [OverviewPage.Zone] = []
        for zone in climate.zones {
            let series = try await climate.series(zone: zone, now: now)
            func latest(_ point: String) -> Double? {
                for device in climate.devices(in: zone) {
                    if let value = byDevice[device]?.points.first(where: { $0.point == point })?.goodValue?.number {
                        return value
                    }
                }
                return nil
            }
            zones.append(
                OverviewPage.Zone(
                    name: zone, temperatureC: latest("temperature"), humidityPercent: latest("humidity"),
                    temperatureSeries: series.temperature, humiditySeries: series.humidity))
        }
        let devices = backend.site.devices.map { device in
            let entry = byDevice[device.name]
            return OverviewPage.Device(
                name: device.name, label: device.label ?? device.profile.model, health: Self.health(entry),
                lastReadingAgeSeconds: entry?.lastReadingTime.map { max(0, now.timeIntervalSince($0)) })
        }
        let mayAcknowledge = context.identity?.role.permits(.acknowledge) == true
        let alerts = try await backend.database.alerts(includeResolved: false).compactMap {
            alert -> OverviewPage.Alert? in
            guard let state = OverviewPage.Alert.State(rawValue: alert.state.rawValue),
                let severity = OverviewPage.Alert.Severity(rawValue: alert.severity.rawValue)
            else { return nil }
            return OverviewPage.Alert(
                id: String(alert.id), severity: severity, state: state, summary: alert.summary, labels: alert.labels,
                since: alert.startsAt ?? alert.activeSince, acknowledgedBy: alert.acknowledgement?.by,
                acknowledgedComment: alert.acknowledgement?.comment,
                canAcknowledge: mayAcknowledge && alert.state == .firing)
        }
        var chrome = chrome
        chrome.title = "Overview"
        return OverviewPage(chrome: chrome, bays: bays, zones: zones, devices: devices, alerts: alerts)
    }

    static func health(_ status: DeviceStatus?) -> DeviceHealthState {
        guard let state = status?.health?.to else { return .unknown }
        return DeviceHealthState(rawValue: state.rawValue) ?? .unknown
    }

    func device(_ name: String, request: Request, chrome: PageChrome) async throws -> DevicePage {
        guard let device = backend.site.device(named: name) else {
            throw APIError.notFound("no device \(name.prefix(64)) in the site file")
        }
        let now = backend.clock()
        let query = QueryParameters(request: request)
        let rangeText = try query.choice("range", of: DevicePage.ChartRange.allCases.map(\.rawValue))
        let range = rangeText.flatMap(DevicePage.ChartRange.init(rawValue:)) ?? .day
        let names = device.profile.points.map(\.name)
        let chosen =
            try query.choice("point", of: names) ?? device.profile.points.first { $0.unit != nil }?.name ?? names.first
        let entry = try await snapshot.status(now: now).first { $0.device == name }
        let units = Dictionary(
            device.profile.points.map { ($0.name, $0.unit) }, uniquingKeysWith: { first, _ in first })
        let points = (entry?.points ?? []).map { latest in
            let value: DevicePage.Value =
                switch latest.goodValue {
                case .number(let number)?: .number(number)
                case let other?: .text(other.description)
                case nil: .missing
                }
            return DevicePage.Point(
                name: latest.point, value: value, unit: units[latest.point] ?? nil,
                quality: DevicePage.Quality(rawValue: latest.quality.rawValue) ?? .bad,
                ageSeconds: max(0, now.timeIntervalSince(latest.time)))
        }
        let history = try await backend.database.healthEvents(device: name, since: now.addingTimeInterval(-7 * 86_400))
            .suffix(50).reversed().map {
                DevicePage.HealthEvent(
                    at: $0.time, state: DeviceHealthState(rawValue: $0.to.rawValue) ?? .unknown, reason: $0.reason)
            }
        var series: [DevicePage.ChartSample] = []
        if let chosen {
            series = try await backend.database.minuteAggregates(
                device: name, point: chosen, since: now.addingTimeInterval(-range.seconds), until: now
            ).compactMap { row in
                guard let min = row.min, let mean = row.mean, let max = row.max else { return nil }
                return DevicePage.ChartSample(time: row.minute, min: min, mean: mean, max: max)
            }
        }
        var chrome = chrome
        chrome.title = name
        return DevicePage(
            chrome: chrome, name: name, label: device.label ?? "", profile: device.profilePath, bus: device.bus,
            health: Self.health(entry), points: points, healthHistory: Array(history),
            chart: DevicePage.Chart(
                pointNames: names, point: chosen, range: range, unit: chosen.flatMap { units[$0] ?? nil },
                series: series))
    }

    func reconciliation(chrome: PageChrome) async throws -> ReconciliationPage {
        let latest = await shelf.latestRun
        let report: ReconciliationReport
        if let latest { report = latest } else { report = try await shelf.reportAsOfNow() }
        let digest = ReportDigest.sha256(try ReportDigest.canonical(report))
        let rows = report.locations.map { line in
            ReconciliationPage.Row(
                location: line.location, bookKg: line.bookKg, physicalKg: line.physicalKg,
                countedKg: line.count?.countedKg,
                varianceKg: line.varianceKg, variancePercent: line.variancePercent, toleranceKg: line.tolerance.kg,
                toleranceRule: line.tolerance.rule, status: StockStatus(rawValue: line.status) ?? .unknown)
        }
        let byMaterial = Dictionary(
            grouping: report.locations.flatMap { line in line.lots.map { (line, $0) } }, by: { $0.1.material })
        let totals = report.totals.map { total in
            // The physical weight of a material: its share of each location's, by book, where the location has one.
            let pairs = byMaterial[total.material] ?? []
            var physical: Double? = 0
            for (line, lot) in pairs {
                guard let weighed = line.physicalKg, line.bookKg > 0 else {
                    physical = nil
                    break
                }
                physical! += weighed * lot.bookKg / line.bookKg
            }
            return ReconciliationPage.MaterialTotal(
                material: "\(total.material) (\(total.name))", bookKg: total.bookKg, physicalKg: physical,
                varianceKg: physical.map { $0 - total.bookKg })
        }
        var chrome = chrome
        chrome.title = "Reconciliation"
        return ReconciliationPage(
            chrome: chrome,
            report: ReconciliationPage.Report(
                asOf: UTCTimestamp.parse(report.at) ?? backend.clock(),
                cutOff: report.cutOff.flatMap { cut in
                    UTCTimestamp.parse(cut.time).map { ReconciliationPage.CutOff(time: $0, document: cut.document) }
                },
                sha256: digest, rows: rows, totals: totals),
            at: latest == nil ? nil : report.at)
    }
}

/// Each zone's temperature and humidity over the last 24 hours, from the minute aggregates, read at most once a
/// minute: a sparkline of a day does not change between two page views a second apart.
actor ClimateHistory {
    struct Series: Sendable {
        var temperature: [TimedValue]
        var humidity: [TimedValue]
    }

    nonisolated let zones: [String]
    private nonisolated let members: [String: [String]]
    private let database: AppDatabase
    private var cached: [String: (at: Date, series: Series)] = [:]

    init(site: SiteConfiguration, database: AppDatabase) {
        var zones: [String] = []
        var members: [String: [String]] = [:]
        for device in site.devices where device.profile.kind == .environment {
            guard let zone = device.zone else { continue }
            if members[zone] == nil { zones.append(zone) }
            members[zone, default: []].append(device.name)
        }
        self.zones = zones
        self.members = members
        self.database = database
    }

    nonisolated func devices(in zone: String) -> [String] { members[zone] ?? [] }

    func series(zone: String, now: Date) async throws -> Series {
        if let entry = cached[zone], now.timeIntervalSince(entry.at) < 60, now >= entry.at { return entry.series }
        var series = Series(temperature: [], humidity: [])
        let since = now.addingTimeInterval(-86_400)
        for device in devices(in: zone) {
            if series.temperature.isEmpty {
                series.temperature = try await database.minuteAggregates(
                    device: device, point: "temperature", since: since, until: now
                ).compactMap { row in row.mean.map { TimedValue(row.minute, $0) } }
            }
            if series.humidity.isEmpty {
                series.humidity = try await database.minuteAggregates(
                    device: device, point: "humidity", since: since, until: now
                ).compactMap { row in row.mean.map { TimedValue(row.minute, $0) } }
            }
        }
        cached[zone] = (now, series)
        return series
    }
}
