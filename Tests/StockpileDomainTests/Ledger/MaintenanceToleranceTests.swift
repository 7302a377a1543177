import StockpileDomain
import Testing

/// Every row boundary of every class, computed by hand from HB44 §2.20 Table 6 (anchors §4).
@Suite("HB44 maintenance tolerances")
struct MaintenanceToleranceTests {
    /// (load in divisions, expected tolerance in divisions, expected row)
    typealias Case = (load: Double, tolerance: Double, row: String)

    static let classIII: [Case] = [
        (0, 1, "0–500 d"), (500, 1, "0–500 d"), (500.4, 2, "501–2000 d"), (501, 2, "501–2000 d"),
        (2000, 2, "501–2000 d"), (2001, 3, "2001–4000 d"), (4000, 3, "2001–4000 d"), (4001, 5, "4001+ d"),
        (10_000, 5, "4001+ d"),
    ]
    static let classII: [Case] = [
        (0, 1, "0–5000 d"), (5000, 1, "0–5000 d"), (5001, 2, "5001–20000 d"), (20_000, 2, "5001–20000 d"),
        (20_001, 3, "20001+ d"),
    ]
    static let classIIII: [Case] = [
        (0, 1, "0–50 d"), (50, 1, "0–50 d"), (51, 2, "51–200 d"), (200, 2, "51–200 d"), (201, 3, "201–400 d"),
        (400, 3, "201–400 d"), (401, 5, "401+ d"),
    ]
    static let classI: [Case] = [
        (50_000, 1, "0–50000 d"), (50_001, 2, "50001–200000 d"), (200_000, 2, "50001–200000 d"),
        (200_001, 3, "200001+ d"),
    ]

    @Test("class III: 1 / 2 / 3 / 5 d at 500, 2000, 4000 d, with d = 1 kg", arguments: classIII)
    func classIIIRows(_ row: Case) {
        check(row, accuracyClass: .medium, division: 1)
    }

    @Test("class II: 1 / 2 / 3 d at 5000, 20000 d, with d = 0.1 kg", arguments: classII)
    func classIIRows(_ row: Case) {
        check(row, accuracyClass: .high, division: 0.1)
    }

    @Test("class IIII: 1 / 2 / 3 / 5 d at 50, 200, 400 d, with d = 5 kg", arguments: classIIII)
    func classIIIIRows(_ row: Case) {
        check(row, accuracyClass: .ordinary, division: 5)
    }

    @Test("class I: 1 / 2 / 3 d at 50000, 200000 d, with d = 0.001 kg", arguments: classI)
    func classIRows(_ row: Case) {
        check(row, accuracyClass: .special, division: 0.001)
    }

    private func check(_ row: Case, accuracyClass: AccuracyClass, division: Double) {
        let rule = MaintenanceTolerance.rule(
            load: row.load * division, division: division, accuracyClass: accuracyClass)
        #expect(rule.toleranceDivisions == row.tolerance, "load \(row.load) d")
        #expect(abs(rule.toleranceKilograms - row.tolerance * division) < 1e-12)
        #expect(rule.row == row.row)
        #expect(rule.accuracyClass == accuracyClass.rawValue)
    }

    @Test("the brief's example: a 5,000 kg × 1 kg class III scale holding 2,500 kg is in tolerance within ±3 kg")
    func briefExample() {
        let rule = MaintenanceTolerance.rule(load: 2500, division: 1, accuracyClass: .medium)
        #expect(rule.toleranceKilograms == 3)
        #expect(rule.summary == "HB44 class III maintenance, 2500 d in 2001–4000 d: ±3 d = ±3 kg")
        #expect(rule.source.contains("class III"))
    }

    @Test("the load is counted in divisions: 1,000 kg on a 2 kg division is 500 d, ±1 d = ±2 kg")
    func loadInDivisions() {
        let rule = MaintenanceTolerance.rule(load: 1000, division: 2, accuracyClass: .medium)
        #expect(rule.loadDivisions == 500)
        #expect(rule.toleranceKilograms == 2)
        let above = MaintenanceTolerance.rule(load: 1002, division: 2, accuracyClass: .medium)
        #expect(above.toleranceKilograms == 4)
    }

    @Test("class I's table is cited as not coming from the project anchors")
    func classISource() {
        #expect(MaintenanceTolerance.source(for: .special).contains("not in the project anchors"))
    }
}
