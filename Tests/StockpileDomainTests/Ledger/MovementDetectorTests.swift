import Foundation
import StockpileDomain
import Testing

/// bay-b1 (5,000 kg × 1 kg, class III) holds DY-1: 700 kg in 3 drums of 20 kg, 760 kg on the platform,
/// so a step must exceed ±2 kg. Readings every 10 s from 09:00.
@Suite("Movement the ledger does not explain")
struct MovementDetectorTests {
    typealias F = LedgerFixtures

    static func ledger(_ extra: [LedgerTransaction] = []) throws -> BookLedger {
        var ledger = F.empty()
        ledger.lots["DY-3"] = Lot(
            id: "DY-3", material: "DY2O3", location: "bay-b1", containerKind: "drum", containerCount: 2,
            tarePerContainer: 20)
        try ledger.admit([F.transaction(.opening, F.at(8), kg: 700, document: "OPEN-1")] + extra)
        return ledger
    }

    /// `levels`: (kg, how many readings) in order, 10 s apart from 09:00.
    static func readings(_ levels: [(kg: Double, count: Int)], quality: ReadingQuality = .good) -> [WeightSample] {
        var samples: [WeightSample] = []
        for level in levels {
            for _ in 0..<level.count {
                samples.append(
                    WeightSample(
                        time: F.at(9).addingTimeInterval(Double(samples.count * 10)), point: "gross", value: level.kg,
                        quality: quality))
            }
        }
        return samples
    }

    static func detect(
        _ samples: [WeightSample], ledger: BookLedger, humidity: [HumidityExposure.Sample]? = nil
    )
        -> [MovementEvent]
    {
        MovementDetector.detect(location: F.scale("bay-b1"), readings: samples, ledger: ledger, humidity: humidity)
    }

    @Test("a 25 kg removal with no transaction is an unrecorded movement, dated at its first reading off the level")
    func removal() throws {
        let events = Self.detect(Self.readings([(760, 60), (735, 60)]), ledger: try Self.ledger())
        #expect(events.count == 1)
        #expect(events.first?.kind == .unrecordedMovement)
        #expect(events.first?.changeKilograms == -25)
        #expect(events.first?.start == F.at(9, 10))
        #expect(events.first?.toleranceKilograms == 2)
        #expect(events.first?.expectedKilograms == 0)
    }

    @Test("a receipt recorded within 15 minutes explains its step, containers included (260 kg + 2 drums)")
    func recordedReceipt() throws {
        let receipt = F.transaction(.receipt, F.at(9, 20), lot: "DY-3", kg: 260, document: "GRN-1")
        #expect(Self.detect(Self.readings([(760, 60), (1060, 60)]), ledger: try Self.ledger([receipt])).isEmpty)
    }

    @Test("a receipt recorded 20 minutes away, or for another quantity, does not explain the step")
    func unexplainedReceipt() throws {
        let late = F.transaction(.receipt, F.at(9, 30), lot: "DY-3", kg: 260, document: "GRN-1")
        let samples = Self.readings([(760, 60), (1060, 60)])
        #expect(Self.detect(samples, ledger: try Self.ledger([late])).map(\.kind) == [.unrecordedMovement])
        let smaller = F.transaction(.receipt, F.at(9, 10), lot: "DY-3", kg: 150, document: "GRN-1")
        let events = Self.detect(samples, ledger: try Self.ledger([smaller]))
        #expect(events.map(\.changeKilograms) == [300])
        #expect(events.map(\.expectedKilograms) == [190])
    }

    @Test("readings in motion never enter, and a lone outlier is no step; ±2 kg of noise is none either")
    func motionAndNoise() throws {
        var samples = Self.readings([(760, 30), (761, 1), (758.5, 1), (760, 30)])
        samples += Self.readings([(700, 10)], quality: .uncertain)
        samples.insert(
            WeightSample(time: F.at(9, 5).addingTimeInterval(5), point: "gross", value: 790, quality: .good), at: 31)
        #expect(Self.detect(samples, ledger: try Self.ledger()).isEmpty)
    }

    @Test(
        "a slow 5 kg gain while bay B stood above 65 %RH is moisture uptake; in dry air, unrecorded; a slow loss, gradual"
    )
    func slowChanges() throws {
        // 0.05 kg per reading over 100 readings (1,000 s): no step, a 5 kg drift.
        let gain = (0..<100).map {
            WeightSample(
                time: F.at(9).addingTimeInterval(Double($0 * 10)), point: "gross", value: 760 + Double($0) * 0.05,
                quality: .good)
        }
        let humid = (0..<20).map {
            HumidityExposure.Sample(time: F.at(9).addingTimeInterval(Double($0 * 60)), value: 72)
        }
        let dry = humid.map { HumidityExposure.Sample(time: $0.time, value: 40) }
        let uptake = Self.detect(gain, ledger: try Self.ledger(), humidity: humid)
        #expect(uptake.map(\.kind) == [.moistureUptake])
        // The first five readings' median is 760.1 kg, the last five's 764.85 kg.
        #expect(abs((uptake.first?.changeKilograms ?? 0) - 4.75) < 1e-9)
        #expect((uptake.first?.humidityHoursAbove ?? 0) > 0.2)
        #expect(Self.detect(gain, ledger: try Self.ledger(), humidity: dry).map(\.kind) == [.unrecordedMovement])
        let loss = gain.map {
            WeightSample(time: $0.time, point: "gross", value: 1520 - ($0.value ?? 0), quality: .good)
        }
        #expect(Self.detect(loss, ledger: try Self.ledger(), humidity: humid).map(\.kind) == [.gradualLoss])
    }
}
