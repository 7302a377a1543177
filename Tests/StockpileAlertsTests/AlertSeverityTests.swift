import StockpileAlerts
import Testing

@Test("severities order by urgency")
func severitiesOrderByUrgency() {
    #expect(AlertSeverity.info < .warning)
    #expect(AlertSeverity.warning < .critical)
    #expect(!(AlertSeverity.critical < .info))
}
