import Foundation
import StockpileAlerts
import Testing

@Test("a transition's log line carries the alert, the states and the labels as metadata")
func logEntry() throws {
    var tracker = AlertTracker()
    let transitions = tracker.update(conditions: [condition(.active, severity: .critical, value: 66.25)], now: at(0))
    let alert = try #require(tracker.alerts.first)
    let firing = AlertLogEntry(try #require(transitions.first), alert: alert)
    #expect(firing.message == "alert 1 firing: bay_b_humidity active")
    #expect(firing.metadata["alert"] == "1")
    #expect(firing.metadata["from"] == "inactive")
    #expect(firing.metadata["to"] == "firing")
    #expect(firing.metadata["device"] == "zone-b-climate")
    #expect(firing.metadata["value"] == "66.25")
    #expect(firing.isWarning)
    let acknowledged = try tracker.acknowledge(.id(1), by: "ana", comment: "fan on", now: at(5))
    let entry = AlertLogEntry(acknowledged, alert: try #require(tracker.alert(id: 1)))
    #expect(entry.message == "alert 1 acknowledged by ana: fan on")
    #expect(entry.metadata["by"] == "ana")
    #expect(entry.metadata["comment"] == "fan on")
    #expect(!entry.isWarning)
}
