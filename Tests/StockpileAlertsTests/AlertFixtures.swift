import Foundation
import StockpileAlerts
import StockpileDomain
import StockpileTestSupport

/// The demo warehouse's site file, loaded once with the shipped profiles.
let demoSite: SiteConfiguration = {
    let path = repository.appendingPathComponent("Simulators/demo-warehouse/site.yaml").path
    // The shipped demo site is checked by its own tests; a failure here is a broken checkout.
    return try! SiteLoader.load(file: path, profileDirectories: [ShippedProfiles.directory])
}()

/// The `alerts` section of a site file text, parsed against the demo site.
func alerts(_ text: String, file: String = "site.yaml") throws(ConfigurationError) -> AlertConfiguration {
    try AlertConfigurationParser.parse(siteRoot: try YAMLField.parse(text, file: file), site: demoSite)
}

/// The error parsing `text` gives, or nil when it parses.
func alertsError(_ text: String) -> ConfigurationError? {
    do {
        _ = try alerts(text)
        return nil
    } catch {
        return error
    }
}

/// A synthetic instant: `seconds` after 2026-12-01T00:00:00Z (a Tuesday).
func at(_ seconds: Double) -> Date {
    Date(timeIntervalSince1970: 1_796_083_200 + seconds)
}

/// One device answering, with these point values (good quality, read at `now`).
func answering(
    _ values: [String: Double], now: Date, since: Date? = nil, flags: Set<String> = [], quality: ReadingQuality = .good
) -> AlertObservation.Device {
    AlertObservation.Device(
        health: .online, since: since ?? at(0), activeFlags: flags,
        points: values.mapValues { AlertObservation.Point(value: $0, quality: quality, at: now) })
}

/// A condition as the evaluator would give it, for driving the tracker directly.
func condition(
    _ status: AlertCondition.Status, rule: String = "bay_b_humidity", device: String = "zone-b-climate",
    severity: AlertSeverity = .warning, timing: AlertTiming = AlertTiming(), value: Double? = nil,
    since: Date? = nil, noData: Bool = false, bus: String = "main"
) -> AlertCondition {
    AlertCondition(
        rule: rule, isNoData: noData,
        labels: ["alertname": rule, "severity": severity.rawValue, "device": device, "bus": bus], severity: severity,
        timing: timing, status: status, activeSince: since, value: value, summary: "\(rule) \(status.rawValue)")
}

extension Duration {
    static func minutes(_ count: Int64) -> Duration { .seconds(count * 60) }
}
