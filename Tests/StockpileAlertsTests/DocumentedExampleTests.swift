import Foundation
import StockpileAlerts
import StockpileDomain
import StockpileTestSupport
import Testing

@Test("the example in docs/alerts.md parses against the demo site as the page describes it")
func documentedExampleParses() throws {
    let page = try String(contentsOf: repository.appendingPathComponent("docs/alerts.md"), encoding: .utf8)
    let start = try #require(page.range(of: "```yaml\n"))
    let end = try #require(page.range(of: "```\n", range: start.upperBound..<page.endIndex))
    let configuration = try alerts(String(page[start.upperBound..<end.lowerBound]), file: "docs/alerts.md")
    #expect(configuration.rules(named: "bay_b_humidity").count == 2)
    #expect(configuration.rules(named: "device_offline").first?.timing.pendingFor == .seconds(300))
    #expect(configuration.receivers.map(\.name) == ["log", "control-room", "alertmanager", "gsm"])
    #expect(configuration.beacon?.coil == "beacon")
    #expect(configuration.externalURL == "http://stockpile.local:8080")
}

@Test("a site file with an alerts section loads, and the alerts are read from the same file")
func siteFileWithAlertsLoads() throws {
    let demo = try String(
        contentsOf: repository.appendingPathComponent("Simulators/demo-warehouse/site.yaml"), encoding: .utf8)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-alerts-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("site.yaml").path
    // The demo site with an alerts section of this test's own instead of the demo's.
    let base = demo.components(separatedBy: "\n# Alerts (docs/alerts.md)")[0]
    let text = base + "\nalerts:\n  defaults: {scale_error: off}\n  beacon: {device: doors-io, coil: beacon}\n"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let site = try SiteLoader.load(file: path, profileDirectories: [ShippedProfiles.directory])
    let configuration = try AlertConfigurationParser.load(site: site)
    #expect(configuration.beacon?.device == "doors-io")
    #expect(configuration.rules(named: "scale_error").isEmpty)
    #expect(!configuration.rules(named: "device_offline").isEmpty)
    // A mistake in the section is reported at its line in the site file.
    try (text + "  rules: [{name: x, kind: threshold}]\n").write(toFile: path, atomically: true, encoding: .utf8)
    let again = try SiteLoader.load(file: path, profileDirectories: [ShippedProfiles.directory])
    #expect(throws: ConfigurationError.self) { try AlertConfigurationParser.load(site: again) }
    do {
        _ = try AlertConfigurationParser.load(site: again)
    } catch {
        #expect(error.file == path)
        #expect(error.line == text.split(separator: "\n", omittingEmptySubsequences: false).count)
    }
}
