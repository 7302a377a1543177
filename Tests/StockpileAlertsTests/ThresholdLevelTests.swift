import Foundation
import StockpileAlerts
import Testing

@Suite("threshold levels and door schedules")
struct ThresholdLevelTests {
    @Test("a 65 alarm with margin 3 is beyond only above 65, clear at 62 and below, and in its band between")
    func hysteresisBoundaries() {
        let level = ThresholdLevel(.above, 65, clearMargin: 3)
        #expect(level.clearingLevel == 62)
        #expect(level.judge(65.01) == .beyond)
        #expect(level.judge(65) == .band)
        #expect(level.judge(62.01) == .band)
        #expect(level.judge(62) == .clear)
        #expect(level.judge(10) == .clear)
    }

    @Test("a lower limit mirrors it: below 5 with margin 1 clears at 6")
    func lowerLimit() {
        let level = ThresholdLevel(.below, 5, clearMargin: 1)
        #expect(level.judge(4.99) == .beyond)
        #expect(level.judge(5) == .band)
        #expect(level.judge(6) == .clear)
    }

    @Test("a weekday 07:00–18:00 window at +02:00 is judged in local time")
    func scheduleLocalTime() {
        let schedule = DoorSchedule(
            utcOffsetSeconds: 7200, windows: [.init(days: [.mon, .tue, .wed, .thu, .fri], start: 420, end: 1080)])
        // at(0) is Tuesday 2026-12-01 00:00 UTC, 02:00 local.
        #expect(!schedule.allowsOpen(at: at(0)))
        #expect(!schedule.allowsOpen(at: at(5 * 3600 - 1)))  // 06:59:59 local
        #expect(schedule.allowsOpen(at: at(5 * 3600)))  // 07:00 local
        #expect(schedule.allowsOpen(at: at(16 * 3600 - 1)))  // 17:59:59 local
        #expect(!schedule.allowsOpen(at: at(16 * 3600)))  // 18:00 local
        // Saturday 2026-12-05 10:00 local.
        #expect(!schedule.allowsOpen(at: at(4 * 86_400 + 8 * 3600)))
        // Monday 2026-11-30 23:30 UTC is Tuesday 01:30 local: outside.
        #expect(!schedule.allowsOpen(at: at(-1800)))
    }

    @Test("the fingerprint is FNV-1a 64 over the sorted pairs, as Alertmanager computes it")
    func fingerprint() {
        // Hand-computed with the reference algorithm (name 0xFF value 0xFF per pair, sorted).
        #expect(AlertLabels.fingerprint([:]) == "cbf29ce484222325")
        let one = AlertLabels.fingerprint(["alertname": "a", "zone": "b"])
        #expect(one == AlertLabels.fingerprint(["zone": "b", "alertname": "a"]))
        #expect(one != AlertLabels.fingerprint(["alertname": "a", "zone": "c"]))
        // The same label set through an independent FNV-1a implementation (Python, in the commit's notes).
        #expect(one == "663755c587bc7101")
        #expect(one.count == 16)
        #expect(one.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }
}
