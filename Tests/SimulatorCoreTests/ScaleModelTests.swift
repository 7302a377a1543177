import Testing
import StockpileDomain
@testable import SimulatorCore

@Suite("The scale model")
struct ScaleModelTests {
    /// A 5,000 kg × 1 kg floor scale (capacity + 9 d = 5,009 kg; zero range ±100 kg; underload below −20 kg).
    let floorScale = ScaleModel.Configuration()

    @Test("same seed and same events give bit-identical readings at the same simulated time, however often read")
    func deterministic() {
        func scripted(readEveryStep: Bool) -> (ScaleModel, [ScaleReading]) {
            var rng = SeededGenerator(seed: 99, stream: "scale-1")
            var scale = ScaleModel(configuration: ScaleModel.Configuration(noiseDivisions: 1))
            var seen: [ScaleReading] = []
            for step in 0..<200 {
                if step == 20 { scale.addLoad(2_500) }
                if step == 60 { _ = scale.tare() }
                if step == 100 { scale.setLossRate(500) }
                scale.advance(by: testStep, using: &rng)
                if readEveryStep {
                    seen.append(scale.reading())
                    _ = scale.pointValues()
                }
            }
            return (scale, seen)
        }
        let (often, readings) = scripted(readEveryStep: true)
        let (never, _) = scripted(readEveryStep: false)
        #expect(often == never)
        #expect(often.reading() == never.reading())
        #expect(often.time == SimulatedTime(seconds: 20))
        // A second run of the same script replays every reading.
        let (_, again) = scripted(readEveryStep: true)
        #expect(again == readings)
    }

    @Test("a different seed gives different noise")
    func seeds() {
        func grossSeries(seed: UInt64) -> [Double] {
            var rng = SeededGenerator(seed: seed)
            var scale = ScaleModel(configuration: ScaleModel.Configuration(noiseDivisions: 2, initialLoad: 1_000))
            return (0..<100).map { _ in
                scale.advance(by: testStep, using: &rng)
                return scale.reading().gross
            }
        }
        #expect(grossSeries(seed: 1) == grossSeries(seed: 1))
        #expect(grossSeries(seed: 1) != grossSeries(seed: 2))
    }

    @Test("a load change sets motion for the settling time, then the displayed weight settles within ±1 d")
    func settles() {
        var rng = SeededGenerator(seed: 1)
        var scale = ScaleModel(configuration: floorScale)
        scale.run(1, rng: &rng)
        #expect(scale.reading().stable)
        scale.addLoad(2_500)
        #expect(!scale.reading().stable)
        #expect(abs(scale.reading().gross) <= 10, "the reading starts moving from where it was")
        scale.run(1, rng: &rng)
        let midway = scale.reading()
        #expect(!midway.stable)
        #expect(midway.gross > 1_000 && midway.gross < 2_500 + 20)
        scale.run(0.9, rng: &rng)
        #expect(!scale.reading().stable, "1.9 s after the change, still in motion")
        scale.run(0.1, rng: &rng)
        #expect(scale.reading().stable, "2.0 s after the change, standstill")
        for _ in 0..<600 {
            scale.advance(by: testStep, using: &rng)
            let reading = scale.reading()
            #expect(reading.stable)
            #expect(abs(reading.gross - 2_500) <= 1)
            #expect(reading.gross == reading.gross.rounded(), "a multiple of the 1 kg division")
        }
    }

    @Test("the displayed weight is a multiple of a fractional division")
    func fractionalDivision() {
        var rng = SeededGenerator(seed: 5)
        var scale = ScaleModel(configuration: ScaleModel.Configuration(capacity: 60, division: 0.02, initialLoad: 25.3))
        for _ in 0..<100 {
            scale.advance(by: testStep, using: &rng)
            let gross = scale.reading().gross
            #expect((gross * 50).rounded() / 50 == gross)
            #expect(abs(gross - 25.3) <= 0.02 + 1e-9)
        }
    }

    @Test("tare is refused in motion, accepted at standstill, and net then reads about zero")
    func tare() {
        var rng = SeededGenerator(seed: 2)
        var scale = ScaleModel(configuration: floorScale)
        scale.addLoad(1_200)
        #expect(scale.tare() == .refusedInMotion)
        #expect(!scale.reading().tareActive)
        scale.run(3, rng: &rng)
        #expect(scale.tare() == .accepted)
        let tared = scale.reading()
        #expect(tared.tareActive)
        #expect(tared.tare == 1_200)
        #expect(abs(tared.net) <= 1)
        #expect(tared.displayedWeight == tared.net)
        scale.addLoad(300)
        scale.run(3, rng: &rng)
        #expect(abs(scale.reading().net - 300) <= 1)
        #expect(abs(scale.reading().gross - 1_500) <= 1)
        scale.clearTare()
        #expect(!scale.reading().tareActive)
        #expect(scale.reading().net == scale.reading().gross)
    }

    @Test("tare is refused at or below zero gross")
    func tareAtZero() {
        var rng = SeededGenerator(seed: 2)
        var scale = ScaleModel(configuration: floorScale)
        scale.run(1, rng: &rng)
        #expect(scale.tare() == .refusedOutOfRange)
    }

    @Test("zero is refused outside ±2 % of capacity and in motion, accepted within")
    func zero() {
        var rng = SeededGenerator(seed: 3)
        var scale = ScaleModel(configuration: floorScale)
        scale.setLoad(150)
        #expect(scale.zero() == .refusedInMotion)
        scale.run(3, rng: &rng)
        #expect(scale.zero() == .refusedOutOfRange, "150 kg is beyond ±100 kg")
        scale.setLoad(80)
        scale.run(3, rng: &rng)
        #expect(scale.zero() == .accepted)
        #expect(abs(scale.reading().gross) <= 1)
        #expect(scale.reading().centerOfZero)
        // The zero range is measured from the power-up zero: another 30 kg would total 110 kg.
        scale.addLoad(30)
        scale.run(3, rng: &rng)
        #expect(scale.zero() == .refusedOutOfRange)
    }

    @Test("overload only past capacity + 9 d, underload below −20 d")
    func limits() {
        var rng = SeededGenerator(seed: 4)
        var scale = ScaleModel(configuration: floorScale)
        scale.setLoad(5_009)
        scale.run(3, rng: &rng)
        #expect(!scale.reading().overload)
        scale.setLoad(5_010)
        scale.run(3, rng: &rng)
        #expect(scale.reading().overload)
        #expect(scale.tare() == .refusedOutOfRange)
        // Zero with 80 kg on, then lift it off: the gross reads −80 kg.
        scale.setLoad(80)
        scale.run(3, rng: &rng)
        #expect(scale.zero() == .accepted)
        scale.setLoad(60)
        scale.run(3, rng: &rng)
        #expect(!scale.reading().underload, "−20 kg is not below −20 d")
        scale.setLoad(0)
        scale.run(3, rng: &rng)
        #expect(scale.reading().underload)
        #expect(abs(scale.reading().gross + 80) <= 1)
    }

    @Test("a gradual loss of 2 kg/h over one simulated hour lowers the gross by 2 kg ± 1 d")
    func gradualLoss() {
        var rng = SeededGenerator(seed: 6)
        var scale = ScaleModel(configuration: ScaleModel.Configuration(initialLoad: 2_500))
        scale.setLossRate(2)
        scale.run(3_600, rng: &rng)
        #expect(scale.time == SimulatedTime(seconds: 3_600))
        #expect(abs(scale.reading().gross - 2_498) <= 1)
        #expect(scale.reading().stable, "a slow loss is not motion")
        scale.setLossRate(-1)
        scale.run(3_600, rng: &rng)
        #expect(abs(scale.reading().gross - 2_499) <= 1, "a negative loss is a gain")
    }

    @Test("zero tracking follows creep on an empty platform, within the zero range, but never under load")
    func zeroTracking() {
        // One-second steps: four simulated hours stay quick in a debug build.
        var rng = SeededGenerator(seed: 7)
        var empty = ScaleModel(configuration: ScaleModel.Configuration(driftPerHour: 10))
        empty.run(3_600, step: 1, rng: &rng)
        #expect(abs(empty.reading().gross) <= 1)
        #expect(abs(empty.zeroOffset - 10) < 0.5)

        var loaded = ScaleModel(configuration: ScaleModel.Configuration(driftPerHour: 10, initialLoad: 2_500))
        loaded.run(3_600, step: 1, rng: &rng)
        #expect(abs(loaded.reading().gross - 2_510) <= 1)
        #expect(loaded.zeroOffset == 0)

        var runaway = ScaleModel(configuration: ScaleModel.Configuration(driftPerHour: 200))
        runaway.run(3_600, step: 1, rng: &rng)
        #expect(runaway.zeroOffset == 100, "tracking stops at ±2 % of capacity")
        #expect(abs(runaway.reading().gross - 100) <= 1)

        var untracked = ScaleModel(configuration: ScaleModel.Configuration(driftPerHour: 10, zeroTracking: false))
        untracked.run(3_600, step: 1, rng: &rng)
        #expect(abs(untracked.reading().gross - 10) <= 1)
    }

    @Test("centre of zero within ±¼ d")
    func centerOfZero() {
        var rng = SeededGenerator(seed: 8)
        var scale = ScaleModel(configuration: ScaleModel.Configuration(zeroTracking: false))
        scale.run(1, rng: &rng)
        #expect(scale.reading().centerOfZero)
        scale.setLoad(0.25)
        scale.run(3, rng: &rng)
        #expect(scale.reading().centerOfZero)
        scale.setLoad(0.4)
        scale.run(3, rng: &rng)
        #expect(!scale.reading().centerOfZero)
    }

    @Test("a fault reports error and its code, and refuses zero and tare until cleared")
    func fault() {
        var rng = SeededGenerator(seed: 9)
        var scale = ScaleModel(configuration: ScaleModel.Configuration(initialLoad: 500))
        scale.run(1, rng: &rng)
        scale.setFault(4)
        #expect(scale.reading().error)
        #expect(scale.reading().errorCode == 4)
        #expect(scale.zero() == .refusedInError)
        #expect(scale.tare() == .refusedInError)
        scale.clearFault()
        #expect(!scale.reading().error)
        #expect(scale.reading().errorCode == 0)
        #expect(scale.tare() == .accepted)
    }

    @Test("point values use the shared vocabulary, with displayed_weight and net_mode for display-only profiles")
    func vocabulary() {
        var rng = SeededGenerator(seed: 10)
        var scale = ScaleModel(configuration: ScaleModel.Configuration(initialLoad: 1_200))
        scale.run(1, rng: &rng)
        #expect(scale.tare() == .accepted)
        scale.addLoad(50)
        scale.run(3, rng: &rng)
        let values = scale.pointValues()
        #expect(
            Set(values.keys) == [
                "gross", "net", "tare", "stable", "center_of_zero", "overload", "underload", "tare_active", "error",
                "error_code", "displayed_weight", "net_mode", "net_display",
            ])
        let reading = scale.reading()
        #expect(values["gross"] == .number(reading.gross))
        #expect(values["displayed_weight"] == .number(reading.net))
        #expect(values["net_mode"] == .bool(true))
        #expect(values["tare"] == .number(1_200))
        #expect(values["error_code"] == .number(0))
    }
}
