import Foundation
import StockpileDomain
import Testing

/// Every status, and the physical weight's three ways from the shared points, computed by hand.
///
/// bay-b1: 5,000 kg × 1 kg class III. Lot DY-1 (Dy2O3, hygroscopic, 0.5 % allowance, limit 60 %RH),
/// 700 kg in 3 drums of 20 kg: the load is 760 kg = 760 d, row 501–2000 d, so ±2 kg; the moisture
/// allowance is 0.5 % × 700 = 3.5 kg, so a gain up to 5.5 kg can be moisture.
@Suite("Reconciliation of one location")
struct ReconcilerTests {
    typealias F = LedgerFixtures
    static let instant = F.at(12)

    static func position(_ lot: Lot = F.lotOne, kg: Double = 700, receipt: Date = F.at(8)) -> LotPosition {
        LotPosition(
            lot: lot, location: "bay-b1", kilograms: kg,
            lastReceipt: .init(F.transaction(.receipt, receipt, lot: lot.id, kg: kg, document: "GRN")))
    }

    /// Readings every 30 s over the 5 minutes before noon, of one point and quality.
    static func readings(_ values: [Double?], point: String = "net", quality: ReadingQuality = .good) -> [WeightSample]
    {
        values.enumerated().map { index, value in
            WeightSample(
                time: instant.addingTimeInterval(-Double(30 * index)), point: point, value: value, quality: quality)
        }
    }

    /// Reconciles bay-b1; `scaleTare` adds a good `tare` reading (the scale tared to the 60 kg of drums,
    /// so its net is the material), `nil` leaves the samples as given.
    static func reconcile(
        _ samples: [WeightSample], lots: [LotPosition] = [position()], humidity: [HumidityExposure.Sample]? = nil,
        scaleTare: Double? = 60, location: LedgerLocation = F.scale("bay-b1")
    ) -> LocationReconciliation {
        let tare = scaleTare.map { readings([$0], point: "tare") } ?? []
        return Reconciler.reconcile(
            Reconciler.Input(
                location: location, instant: instant, window: .seconds(300), positions: lots,
                materials: ["DY2O3": F.dysprosium, "TB4O7": F.terbium], weight: .readings(samples + tare),
                humidity: humidity))
    }

    /// 70 %RH every 5 min since the receipt: above the limit throughout.
    static let humid = (0..<48).map {
        HumidityExposure.Sample(time: F.at(8).addingTimeInterval(Double($0 * 300)), value: 70)
    }
    /// 45 %RH throughout.
    static let dry = humid.map { HumidityExposure.Sample(time: $0.time, value: 45) }

    @Test("ok: the median 700.3 kg is the book to the scale's 1 kg division")
    func ok() {
        let result = Self.reconcile(Self.readings([700, 701, 700.3, 699, 700.5]))
        #expect(result.physical == 700.3)
        #expect(result.status == .ok)
        #expect(abs((result.variance ?? 0) - 0.3) < 1e-9)
        #expect(result.scaleTolerance.toleranceKilograms == 2)
        #expect(result.scaleTolerance.row == "501–2000 d")
        #expect(
            result.physicalMethod == "median of 5 good net readings (the scale's tare 60 kg taken as the containers')")
    }

    @Test("within tolerance: +2 kg is exactly the ±2 kg and still within; −1.5 kg too")
    func withinTolerance() {
        #expect(Self.reconcile(Self.readings([702])).status == .withinTolerance)
        #expect(Self.reconcile(Self.readings([698.5])).status == .withinTolerance)
    }

    @Test("shortage: 675 kg against 700 is 25 kg short, −3.571 %")
    func shortage() {
        let result = Self.reconcile(Self.readings([675, 675, 675]))
        #expect(result.status == .shortage)
        #expect(result.variance == -25)
        #expect(abs((result.variancePercent ?? 0) + 3.5714285714) < 1e-6)
        #expect(Self.reconcile(Self.readings([697.9])).status == .shortage)
    }

    @Test("moisture gain: +5 kg on a hygroscopic lot whose zone stood above 60 %RH, within 2 + 3.5 kg")
    func moistureGain() {
        let result = Self.reconcile(Self.readings([705]), humidity: Self.humid)
        #expect(result.status == .moistureGain)
        #expect(result.moistureAllowance == 3.5)
        #expect(result.lots.first?.humidity?.hoursAbove == 4)
        #expect(result.lots.first?.humidity?.maximum == 70)
        #expect(Self.reconcile(Self.readings([705.5]), humidity: Self.humid).status == .moistureGain)
    }

    @Test("overage: the same gain in a dry zone, a gain beyond the allowance, a gain on a non-hygroscopic lot")
    func overage() {
        #expect(Self.reconcile(Self.readings([705]), humidity: Self.dry).status == .overage)
        #expect(Self.reconcile(Self.readings([705]), humidity: nil).status == .overage)
        #expect(Self.reconcile(Self.readings([705.6]), humidity: Self.humid).status == .overage)
        let terbium = Lot(
            id: "TB-9", material: "TB4O7", location: "bay-b1", containerKind: "drum", containerCount: 3,
            tarePerContainer: 20)
        let result = Self.reconcile(Self.readings([705]), lots: [Self.position(terbium)], humidity: Self.humid)
        #expect(result.status == .overage)
        #expect(result.moistureAllowance == 0)
    }

    @Test("a step inside the window: only the readings since the weight settled at its new level count")
    func stepInsideWindow() {
        // Newest first: three at 675 kg (the last 90 s), seven at 700 kg before.
        let result = Self.reconcile(Self.readings([675, 675, 675, 700, 700, 700, 700, 700, 700, 700]))
        #expect(result.physical == 675)
        #expect(result.status == .shortage)
        #expect(result.readings?.goodCount == 3)
        #expect(result.readings?.settledSince == Self.instant.addingTimeInterval(-60))
        #expect(result.physicalMethod.contains("since the weight settled at 2026-12-01T11:59:00Z"))
        // One stray reading is noise, not a level: the window stays whole.
        let stray = Self.reconcile(Self.readings([700, 700, 709, 700, 700]))
        #expect(stray.readings?.goodCount == 5)
        #expect(stray.readings?.settledSince == nil)
    }

    @Test("no stable reading: the scale answered only in motion")
    func noStableReading() {
        let result = Self.reconcile(Self.readings([690, 710, 700], quality: .uncertain))
        #expect(result.status == .noStableReading)
        #expect(result.physical == nil)
        #expect(result.readings?.qualities == [.init(quality: .uncertain, count: 3)])
    }

    @Test("scale offline: only offline readings, or none at all, or only readings outside the window")
    func scaleOffline() {
        #expect(Self.reconcile(Self.readings([nil, nil], quality: .offline), scaleTare: nil).status == .scaleOffline)
        #expect(Self.reconcile([], scaleTare: nil).status == .scaleOffline)
        let old = WeightSample(time: Self.instant.addingTimeInterval(-301), point: "net", value: 700, quality: .good)
        let later = WeightSample(time: Self.instant.addingTimeInterval(1), point: "net", value: 700, quality: .good)
        #expect(Self.reconcile([old, later], scaleTare: nil).status == .scaleOffline)
    }

    @Test("not counted: a manual location without a count; with one, the count against the book at its time")
    func manualLocation() {
        let bag = LotPosition(lot: F.lotThree, location: "cage-1", kilograms: 250, lastReceipt: nil)
        let none = Reconciler.reconcile(
            Reconciler.Input(
                location: F.cage, instant: Self.instant, window: .seconds(300), positions: [bag], materials: [:],
                weight: nil))
        #expect(none.status == .notCounted)
        let count = PhysicalCount(
            location: "cage-1", time: F.at(11), kilograms: 249.6, counter: "auditor", document: "C-1")
        let counted = Reconciler.reconcile(
            Reconciler.Input(
                location: F.cage, instant: Self.instant, window: .seconds(300), positions: [bag], materials: [:],
                weight: nil, count: (count, 250)))
        // 250 + 5 kg of bags = 255 kg on a 0.2 kg division is 1275 d: ±2 d = ±0.4 kg, so −0.4 is within.
        #expect(counted.status == .withinTolerance)
        #expect(abs((counted.variance ?? 0) + 0.4) < 1e-9)
        #expect(abs(counted.scaleTolerance.toleranceKilograms - 0.4) < 1e-12)
        #expect(counted.physicalMethod.contains("counted by auditor"))
    }

    @Test("a scale with no net point: gross minus the lots' container tares when it reports no tare")
    func grossMinusContainers() {
        let gross = Self.readings([760, 760, 760], point: "gross")
        let tare = Self.readings([0], point: "tare")
        let result = Self.reconcile(gross + tare, scaleTare: nil)
        #expect(result.physical == 700)
        #expect(result.readings?.point == "gross")
        #expect(result.physicalMethod.contains("container tares 60 kg"))
    }

    @Test("a scale showing net with no tare set (net equals gross) weighs the drums too: their tares come off")
    func netWithoutTare() {
        let samples = Self.readings([760, 761, 760]) + Self.readings([760, 761, 760], point: "gross")
        let result = Self.reconcile(samples, scaleTare: nil)
        #expect(result.physical == 700)
        #expect(result.readings?.point == "net")
        #expect(result.status == .ok)
    }

    @Test("a scale with no net point and a tare set: gross minus the scale's own tare")
    func grossMinusScaleTare() {
        let result = Self.reconcile(
            Self.readings([760, 760], point: "gross") + Self.readings([62], point: "tare"), scaleTare: nil)
        #expect(result.physical == 698)
        #expect(result.physicalMethod.contains("scale's tare 62 kg"))
    }

    @Test("net wins over gross; the median of an even count is the mean of the middle two; bad readings stay out")
    func medianChoice() {
        let samples =
            Self.readings([700, 704, 702, 698], point: "net") + Self.readings([900], point: "gross")
            + [WeightSample(time: Self.instant.addingTimeInterval(-10), point: "net", value: 0, quality: .bad)]
        let result = Self.reconcile(samples)
        #expect(result.physical == 701)
        #expect(result.readings?.goodCount == 4)
        #expect(result.readings?.count == 5)
        #expect(result.readings?.minimum == 698)
        #expect(result.readings?.maximum == 704)
        #expect(result.readings?.qualities == [.init(quality: .good, count: 4), .init(quality: .bad, count: 1)])
    }

    @Test("beyond raw retention, the weight comes from minute aggregates and the evidence says so (760 − 60 kg)")
    func fromMinuteAggregates() {
        let minutes = (1...5).map { index in
            WeightMinute(
                minute: Self.instant.addingTimeInterval(-Double(60 * index)), point: "net", count: 12, goodCount: 10,
                uncertainCount: 2, badCount: 0, staleCount: 0, offlineCount: 0, valueCount: 10, min: 759, max: 761,
                sum: 7600)
        }
        let result = Reconciler.reconcile(
            Reconciler.Input(
                location: F.scale("bay-b1"), instant: Self.instant, window: .seconds(300), positions: [Self.position()],
                materials: ["DY2O3": F.dysprosium], weight: .minutes(minutes)))
        #expect(result.physical == 700)
        #expect(result.status == .ok)
        #expect(result.readings?.source == .minuteAggregates)
        // The minute starting 5 min before the instant overlaps the window; so do the four after it.
        #expect(result.readings?.goodCount == 50)
        #expect(result.physicalMethod.contains("minute aggregates"))
    }

    @Test("humidity exposure: each sample holds until the next, and at most 10 minutes")
    func humidityExposure() {
        let samples = [55.0, 65, 70, 58].enumerated().map {
            HumidityExposure.Sample(time: F.at(8).addingTimeInterval(Double($0.offset * 300)), value: $0.element)
        }
        let exposure = HumidityExposure.measure(
            zone: "bay-b", samples: samples, limit: 60, from: F.at(8), to: F.at(8, 20))
        #expect(abs(exposure.hoursAbove - 10.0 / 60) < 1e-12)
        #expect(abs(exposure.hoursCovered - 20.0 / 60) < 1e-12)
        #expect(exposure.maximum == 70)
        let silent = HumidityExposure.measure(
            zone: "bay-b", samples: [.init(time: F.at(8), value: 80)], limit: 60, from: F.at(8), to: F.at(10))
        #expect(abs(silent.hoursAbove - 10.0 / 60) < 1e-12)
    }
}
