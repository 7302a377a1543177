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
