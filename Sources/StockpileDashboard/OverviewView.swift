import Foundation

/// The overview as its template reads it: every number formatted, every colour a class name.
struct OverviewView: Sendable {
    /// The sparklines' drawing area: wide and low, scaled to the card's width.
    static let sparklineBox = ViewBox(width: 240, height: 48, inset: 3)

    struct LotView: Sendable {
        let id: String
        let materialCode: String
        let materialName: String
    }

    struct BayView: Sendable {
        let location: String
        let zone: String
        let device: String?
        let lots: [LotView]
        let book: String
        let physical: String
        let variance: String
        let status: String
        let tone: String
    }

    struct ZoneView: Sendable {
        let name: String
        let temperature: String
        let humidity: String
        let temperatureSparkline: SparklineView
        let humiditySparkline: SparklineView
    }

    struct DeviceView: Sendable {
        let name: String
        let label: String
        let path: String
        let health: String
        let tone: String
        let age: String
    }

    struct LabelView: Sendable {
        let name: String
        let value: String
    }

    struct AcknowledgementView: Sendable {
        let by: String
        let comment: String?
    }

    struct AlertView: Sendable {
        let id: String
        let severity: String
        let state: String
        let tone: String
        let summary: String
        let labels: [LabelView]
        let since: String
        let sinceISO: String
        let acknowledgement: AcknowledgementView?
        let canAcknowledge: Bool
        let showSignInHint: Bool
        let acknowledgePath: String
    }

    let chrome: ChromeView
    let bays: [BayView]
    let zones: [ZoneView]
    let devices: [DeviceView]
    let alerts: [AlertView]
    let alertCount: String
    let firingCount: String

    init(_ page: OverviewPage) {
        chrome = ChromeView(page.chrome, section: .overview)
        bays = page.bays.map { bay in
            BayView(
                location: bay.location, zone: bay.zone, device: bay.device,
                lots: bay.lots.map { LotView(id: $0.id, materialCode: $0.materialCode, materialName: $0.materialName) },
                book: DisplayFormat.kilograms(bay.bookKg), physical: DisplayFormat.kilograms(bay.physicalKg),
                variance: DisplayFormat.signedKilograms(bay.varianceKg), status: bay.status.rawValue,
                tone: bay.status.tone.rawValue)
        }
        let day = DateInterval(
            start: page.chrome.generatedAt.addingTimeInterval(-24 * 3600), end: page.chrome.generatedAt)
        zones = page.zones.map { zone in
            ZoneView(
                name: zone.name, temperature: DisplayFormat.celsius(zone.temperatureC),
                humidity: DisplayFormat.relativeHumidity(zone.humidityPercent),
                temperatureSparkline: SparklineView(
                    Sparkline(
                        zone.temperatureSeries.map { .init(time: $0.time, value: $0.value) }, window: day,
                        box: Self.sparklineBox),
                    label: "\(zone.name) temperature over 24 h", format: { DisplayFormat.celsius($0) }),
                humiditySparkline: SparklineView(
                    Sparkline(
                        zone.humiditySeries.map { .init(time: $0.time, value: $0.value) }, window: day,
                        box: Self.sparklineBox),
                    label: "\(zone.name) humidity over 24 h", format: { DisplayFormat.relativeHumidity($0) }))
        }
        devices = page.devices.map { device in
            DeviceView(
                name: device.name, label: device.label, path: "/devices/" + URLText.segment(device.name),
                health: device.health.rawValue, tone: device.health.tone.rawValue,
                age: DisplayFormat.age(seconds: device.lastReadingAgeSeconds))
        }
        alerts = page.alerts.map { alert in
            AlertView(
                id: alert.id, severity: alert.severity.rawValue, state: alert.state.rawValue,
                tone: alert.severity.tone.rawValue, summary: alert.summary,
                labels: alert.labels.sorted { $0.key < $1.key }.map { LabelView(name: $0.key, value: $0.value) },
                since: DisplayFormat.instant(alert.since, in: page.chrome.timeZone),
                sinceISO: DisplayFormat.machineInstant(alert.since),
                acknowledgement: alert.acknowledgedBy.map {
                    AcknowledgementView(by: $0, comment: alert.acknowledgedComment)
                },
                canAcknowledge: alert.canAcknowledge,
                showSignInHint: !alert.canAcknowledge && alert.state == .firing,
                acknowledgePath: "/alerts/" + URLText.segment(alert.id) + "/ack")
        }
        alertCount = String(page.alerts.count)
        firingCount = String(page.alerts.filter { $0.state == .firing }.count)
    }
}
