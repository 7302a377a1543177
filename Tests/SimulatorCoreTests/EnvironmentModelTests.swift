import Testing
import StockpileDomain
@testable import SimulatorCore

@Suite("The environment model")
struct EnvironmentModelTests {
    /// No noise, so the cycle's values can be checked exactly.
    let quiet = EnvironmentModel.Configuration(temperatureNoise: 0, humidityNoise: 0, co2Noise: 0, doseRateNoise: 0)

    @Test("the Magnus dew point matches known values: 20 °C at 50 %RH is 9.26 °C")
    func dewPoint() throws {
        #expect(abs(try #require(DewPoint.magnus(temperature: 20, relativeHumidity: 50)) - 9.26) < 0.01)
        #expect(abs(try #require(DewPoint.magnus(temperature: 25, relativeHumidity: 100)) - 25) < 1e-9)
        #expect(abs(try #require(DewPoint.magnus(temperature: 0, relativeHumidity: 80)) - -3.04) < 0.02)
        #expect(DewPoint.magnus(temperature: 20, relativeHumidity: 0) == nil)
    }

    @Test("temperature peaks at the peak hour and humidity twelve hours later, from the configured start hour")
    func dailyCycle() {
        var rng = SeededGenerator(seed: 1)
        var afternoon = EnvironmentModel(configuration: modified(quiet) { $0.startHour = 15 })
        afternoon.run(testStep, rng: &rng)
        #expect(abs(afternoon.reading().temperature! - 23) < 1e-3)
        #expect(abs(afternoon.reading().humidity! - 40) < 1e-3)
        var night = EnvironmentModel(configuration: modified(quiet) { $0.startHour = 3 })
        night.run(testStep, rng: &rng)
        #expect(abs(night.reading().temperature! - 17) < 1e-3)
        #expect(abs(night.reading().humidity! - 50) < 1e-3)
        // Twelve simulated hours later the afternoon zone is at its night values (one long step
        // keeps the test fast; the cycle depends only on the time reached).
        afternoon.advance(by: 12 * 3_600, using: &rng)
        #expect(abs(afternoon.hourOfDay - (3 + testStep / 3_600)) < 1e-9)
        #expect(abs(afternoon.reading().temperature! - 17) < 1e-3)
    }

    @Test("a humidity excursion reaches its target within the ramp, holds it, and returns")
    func excursion() {
        var rng = SeededGenerator(seed: 2)
        var zone = EnvironmentModel(configuration: EnvironmentModel.Configuration(humidityAmplitude: 0))
        zone.run(60, rng: &rng)
        zone.startHumidityExcursion(target: 85, ramp: 600, hold: 1_800)
        zone.run(300, rng: &rng)
        #expect(abs(zone.trueHumidity - 65) < 1e-6, "halfway up the ramp")
        zone.run(300, rng: &rng)
        #expect(abs(zone.reading().humidity! - 85) < 1.5, "at the target when the ramp ends")
        for _ in 0..<180 {
            zone.run(10, rng: &rng)
            #expect(abs(zone.reading().humidity! - 85) < 1.5)
        }
        zone.run(300, rng: &rng)
        #expect(abs(zone.trueHumidity - 65) < 1e-6, "halfway back")
        zone.run(300, rng: &rng)
        #expect(zone.excursion == nil)
        #expect(abs(zone.reading().humidity! - 45) < 1.5)
    }

    @Test("the dose rate is never negative, even when the noise exceeds the background")
    func doseRate() {
        var rng = SeededGenerator(seed: 3)
        let noisy = EnvironmentModel.Configuration(doseRateBackground: 0.01, doseRateNoise: 0.05)
        var zone = EnvironmentModel(configuration: noisy)
        var zeros = 0
        for _ in 0..<10_000 {
            zone.advance(by: testStep, using: &rng)
            let dose = zone.reading().doseRate!
            #expect(dose >= 0)
            if dose == 0 { zeros += 1 }
        }
        #expect(zeros > 0, "the clip was exercised")
    }

    @Test("humidity stays within 0–100 %RH")
    func humidityClamp() {
        var rng = SeededGenerator(seed: 4)
        var zone = EnvironmentModel(configuration: EnvironmentModel.Configuration(humidityMean: 99, humidityNoise: 5))
        for _ in 0..<2_000 {
            zone.advance(by: testStep, using: &rng)
            #expect((0...100).contains(zone.reading().humidity!))
        }
    }

    @Test("same seed, same readings; a faulted sensor reads unavailable, and so does the dew point it feeds")
    func determinismAndFaults() {
        func run(seed: UInt64) -> EnvironmentModel {
            var rng = SeededGenerator(seed: seed, stream: "zone-a")
            var zone = EnvironmentModel(configuration: EnvironmentModel.Configuration(startHour: 6))
            zone.run(100, rng: &rng)
            zone.startHumidityExcursion(target: 80, ramp: 60, hold: 60)
            zone.run(100, rng: &rng)
            return zone
        }
        #expect(run(seed: 1) == run(seed: 1))
        #expect(run(seed: 1).reading() == run(seed: 1).reading())
        #expect(run(seed: 1).reading() != run(seed: 2).reading())

        var zone = run(seed: 1)
        zone.setFault(.humidity)
        let values = zone.pointValues()
        #expect(Set(values.keys) == ["temperature", "humidity", "dew_point", "co2", "dose_rate"])
        #expect(values["humidity"] == .some(nil))
        #expect(values["dew_point"] == .some(nil))
        #expect(values["temperature"]??.number != nil)
        zone.clearFault(.humidity)
        #expect(zone.pointValues()["dew_point"]??.number != nil)
    }
}

/// A copy of `value` changed by `change`.
func modified<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}
