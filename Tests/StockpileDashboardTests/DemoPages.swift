import Foundation
import StockpileDashboard

/// A realistic site for the pages: two zones of three bays each, six devices, three open alerts,
/// a day of minute means per zone (zone-b's humidity with a two-hour outage), and a reconciliation.
enum DemoPages {
    /// 2026-12-02 06:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_796_191_200)

    static func chrome(
        _ title: String, role: String? = nil, name: String? = nil, refreshSeconds: Int = 10
    ) -> PageChrome {
        PageChrome(
            siteName: "Hafen Nord reserve", siteID: "de-hn-01", title: title, generatedAt: now, signedInRole: role,
            signedInName: name, csrfToken: "csrf-7f3a9c", refreshSeconds: refreshSeconds)
    }

    static let bays: [OverviewPage.Bay] = [
        .init(
            location: "bay-a1", zone: "zone-a", device: "scale-a1",
            lots: [.init(id: "L-2026-0412", materialCode: "NDPR-OX", materialName: "NdPr oxide")], bookKg: 24_500,
            physicalKg: 24_512.34, varianceKg: 12.34, status: .withinTolerance),
        .init(
            location: "bay-a2", zone: "zone-a", device: "scale-a2",
            lots: [
                .init(id: "L-2026-0398", materialCode: "TB4O7", materialName: "Tb4O7"),
                .init(id: "L-2026-0401", materialCode: "TB4O7", materialName: "Tb4O7"),
            ], bookKg: 18_250, physicalKg: 18_250.2, varianceKg: 0.2, status: .ok),
        .init(
            location: "bay-a3", zone: "zone-a", device: nil,
            lots: [.init(id: "L-2026-0377", materialCode: "SLT", materialName: "Iodised salt")], bookKg: 6_000,
            physicalKg: nil, varianceKg: nil, status: .notCounted),
        .init(
            location: "bay-b1", zone: "zone-b", device: "scale-b1",
            lots: [.init(id: "L-2026-0420", materialCode: "SGR", materialName: "White sugar")], bookKg: 30_000,
            physicalKg: 29_412.5, varianceKg: -587.5, status: .shortage),
        .init(
            location: "bay-b2", zone: "zone-b", device: "scale-b2",
            lots: [.init(id: "L-2026-0415", materialCode: "NDPR-OX", materialName: "NdPr oxide")], bookKg: 12_000,
            physicalKg: 12_180.4, varianceKg: 180.4, status: .moistureGain),
        .init(
            location: "bay-b3", zone: "zone-b", device: "scale-b3", lots: [], bookKg: 0, physicalKg: nil,
            varianceKg: nil, status: .scaleOffline),
    ]

    /// A day of minute means: a daily swing around `base`, none inside `outage` (minutes before now).
    static func day(base: Double, swing: Double, outage: ClosedRange<Int>? = nil) -> [TimedValue] {
        (0..<1440).compactMap { minutesAgo in
            if let outage, outage.contains(minutesAgo) { return nil }
            let time = now.addingTimeInterval(-Double(minutesAgo) * 60)
            return TimedValue(time, base + swing * sin(Double(minutesAgo) / 1440 * 2 * .pi))
        }.reversed()
    }

    static let zones: [OverviewPage.Zone] = [
        .init(
            name: "zone-a", temperatureC: 18.44, humidityPercent: 61.26, temperatureSeries: day(base: 18, swing: 1.5),
            humiditySeries: day(base: 58, swing: 4)),
        .init(
            name: "zone-b", temperatureC: 21.7, humidityPercent: 48.9, temperatureSeries: day(base: 21, swing: 2),
            humiditySeries: day(base: 50, swing: 3, outage: 300...420)),
    ]

    static let devices: [OverviewPage.Device] = [
        .init(name: "scale-a1", label: "Bay A1 platform scale", health: .online, lastReadingAgeSeconds: 2),
        .init(name: "scale-a2", label: "Bay A2 platform scale", health: .online, lastReadingAgeSeconds: 3.6),
        .init(name: "scale-b1", label: "Bay B1 platform scale", health: .degraded, lastReadingAgeSeconds: 45),
        .init(name: "scale-b2", label: "Bay B2 platform scale", health: .online, lastReadingAgeSeconds: 1),
        .init(name: "scale-b3", label: "Bay B3 platform scale", health: .offline, lastReadingAgeSeconds: 7_300),
        .init(name: "climate a/1", label: "Zone A climate sensor", health: .quarantined, lastReadingAgeSeconds: 200),
    ]

    static func alerts(operatorSignedIn: Bool) -> [OverviewPage.Alert] {
        [
            .init(
                id: "41", severity: .critical, state: .firing, summary: "bay-b1 is 587.5 kg short of the book",
                labels: ["rule": "reconciliation_outside_tolerance", "location": "bay-b1"],
                since: now.addingTimeInterval(-720), canAcknowledge: operatorSignedIn),
            .init(
                id: "38", severity: .warning, state: .acknowledged, summary: "zone-a humidity above 60 %RH over NdPr oxide",
                labels: ["rule": "zone_humidity_high", "zone": "zone-a"], since: now.addingTimeInterval(-5_400),
                acknowledgedBy: "m.keller", acknowledgedComment: "Dehumidifier started", canAcknowledge: false),
            .init(
                id: "44", severity: .info, state: .pending, summary: "scale-b1 answers slowly",
                labels: ["rule": "device_degraded", "device": "scale-b1"], since: now.addingTimeInterval(-60),
                canAcknowledge: false),
        ]
    }

    static func overview(role: String? = nil, name: String? = nil, refreshSeconds: Int = 10) -> OverviewPage {
        OverviewPage(
            chrome: chrome("Overview", role: role, name: name, refreshSeconds: refreshSeconds), bays: bays,
            zones: zones, devices: devices, alerts: alerts(operatorSignedIn: role == "operator"))
    }

    static let report = ReconciliationPage.Report(
        asOf: now.addingTimeInterval(-300),
        cutOff: .init(time: now.addingTimeInterval(-3_600 * 5), document: "GR-2026-11-0087"),
        sha256: "9f2c1e0b7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b",
        rows: [
            .init(
                location: "bay-a1", bookKg: 24_500, physicalKg: 24_512.34, countedKg: nil, varianceKg: 12.34,
                variancePercent: 0.0504, toleranceKg: 25, toleranceRule: "OIML R76 class III, 5 d at 20 t",
                status: .withinTolerance),
            .init(
                location: "bay-a3", bookKg: 6_000, physicalKg: nil, countedKg: nil, varianceKg: nil,
                variancePercent: nil, toleranceKg: 6, toleranceRule: "hand count, 0.1 %", status: .notCounted),
            .init(
                location: "bay-b1", bookKg: 30_000, physicalKg: 29_412.5, countedKg: nil, varianceKg: -587.5,
                variancePercent: -1.958, toleranceKg: 30, toleranceRule: "OIML R76 class III, 3 d at 30 t",
                status: .shortage),
        ],
        totals: [
            .init(material: "NDPR-OX NdPr oxide", bookKg: 36_500, physicalKg: 36_692.74, varianceKg: 192.74),
            .init(material: "SGR White sugar", bookKg: 30_000, physicalKg: 29_412.5, varianceKg: -587.5),
        ])

    static func reconciliation(at: String? = nil) -> ReconciliationPage {
        ReconciliationPage(chrome: chrome("Reconciliation"), report: report, at: at)
    }

    static func device(series: [DevicePage.ChartSample]? = nil) -> DevicePage {
        let samples =
            series
            ?? (0..<60).map { minute in
                let mean = 24_512 + 3 * sin(Double(minute) / 10)
                return DevicePage.ChartSample(
                    time: now.addingTimeInterval(Double(minute - 60) * 60), min: mean - 1.5, mean: mean, max: mean + 1.5
                )
            }
        return DevicePage(
            chrome: chrome("scale-a1"), name: "scale-a1", label: "Bay A1 platform scale", profile: "scales/pw-20t",
            bus: "line-1", health: .online,
            points: [
                .init(name: "gross_weight", value: .number(24_512.34), unit: "kg", quality: .good, ageSeconds: 2),
                .init(name: "status", value: .text("stable"), unit: nil, quality: .good, ageSeconds: 2),
                .init(name: "temperature", value: .number(12.125), unit: "°C", quality: .uncertain, ageSeconds: 190),
                .init(name: "serial", value: .missing, unit: nil, quality: .stale, ageSeconds: nil),
            ],
            healthHistory: [
                .init(at: now.addingTimeInterval(-3_000), state: .online, reason: "answered after 3 silent polls"),
                .init(at: now.addingTimeInterval(-3_200), state: .offline, reason: "3 polls unanswered"),
            ],
            chart: .init(
                pointNames: ["gross_weight", "temperature"], point: "gross_weight", range: .hour, unit: "kg",
                series: samples))
    }
}
