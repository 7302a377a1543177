public import StockpileDomain

/// A warehouse zone's environment: temperature, humidity, dew point, CO2 and gamma dose rate.
///
/// Step it with one fixed step (see `DeviceModel`). The rules, with `Configuration`'s defaults:
/// - **Time of day** is `startHour` plus the simulated time, modulo 24 h.
/// - **Temperature** follows a daily cosine: mean + amplitude · cos(2π (hour − peakHour) / 24),
///   plus Gaussian noise.
/// - **Humidity** follows the same cycle in opposite phase (warmest hour, driest air), pulled
///   towards an excursion's target while one runs (see `HumidityExcursion`), plus noise, clamped to
///   0–100 %RH.
/// - **Dew point** is computed from the noisy temperature and humidity with the Magnus formula
///   (`DewPoint`), as a humidity probe computes it; it is unavailable when either input is.
/// - **CO2** is a baseline plus noise, clipped at 0 ppm; **dose rate** a background plus noise,
///   clipped at 0 µSv/h, so it is never negative.
/// Each step draws exactly four Gaussians (temperature, humidity, CO2, dose rate, in that order).
public struct EnvironmentModel: DeviceModel, Hashable {
    /// The quantities a zone reports, named as in the shared vocabulary.
    public enum Quantity: String, Hashable, Sendable, CaseIterable {
        /// Air temperature (°C).
        case temperature
        /// Relative humidity (%RH).
        case humidity
        /// Dew point (°C).
        case dewPoint = "dew_point"
        /// CO2 concentration (ppm).
        case co2
        /// Gamma dose rate (µSv/h).
        case doseRate = "dose_rate"
    }

    /// The zone's fixed parameters.
    public let configuration: Configuration
    /// How far the model's virtual clock has run.
    public private(set) var time: SimulatedTime = .zero
    /// The humidity excursion in progress, if any.
    public private(set) var excursion: HumidityExcursion?
    /// Quantities whose sensor is faulted: they read as unavailable.
    public private(set) var faults: Set<Quantity> = []

    /// This step's standard-normal samples; drawn in `advance`, never when reading.
    private var temperatureSample = 0.0
    private var humiditySample = 0.0
    private var co2Sample = 0.0
    private var doseRateSample = 0.0

    /// A zone at time zero.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    // MARK: - State

    /// Hour of day now, in [0, 24).
    public var hourOfDay: Double {
        let hours = (configuration.startHour + time.seconds / 3600).truncatingRemainder(dividingBy: 24)
        return hours < 0 ? hours + 24 : hours
    }

    /// The temperature without noise (°C).
    public var trueTemperature: Double {
        configuration.temperatureMean
            + configuration.temperatureAmplitude * dailyCycle(peakHour: configuration.temperaturePeakHour)
    }

    /// The relative humidity without noise (%RH): daily cycle, pulled to an excursion's target.
    public var trueHumidity: Double {
        let cycle =
            configuration.humidityMean
            - configuration.humidityAmplitude * dailyCycle(peakHour: configuration.temperaturePeakHour)
        guard let excursion else { return cycle }
        let weight = excursion.weight(at: time)
        return (1 - weight) * cycle + weight * excursion.target
    }

    /// cos of the day's phase from `peakHour`: 1 at the peak, −1 twelve hours away.
    private func dailyCycle(peakHour: Double) -> Double {
        // Reduce to within one day first, so the cosine's argument stays within ±2π.
        let fraction = (hourOfDay - peakHour).truncatingRemainder(dividingBy: 24) / 24
        return PortableMath.cos(2 * Double.pi * fraction)
    }

    // MARK: - Time

    /// Moves the zone on by one fixed step of `seconds`, drawing this step's four noise samples.
    ///
    /// Call it with the same step every time (the simulator service uses 0.1 s).
    public mutating func advance(by seconds: Double, using rng: inout SeededGenerator) {
        precondition(seconds > 0, "a step moves time forward")
        time = time.advanced(bySeconds: seconds)
        temperatureSample = rng.gaussian()
        humiditySample = rng.gaussian()
        co2Sample = rng.gaussian()
        doseRateSample = rng.gaussian()
        if let excursion, time >= excursion.end { self.excursion = nil }
    }

    // MARK: - Outputs

    /// What the zone's sensors report now. Pure: reading never changes the model.
    public func reading() -> EnvironmentReading {
        let config = configuration
        let temperature = trueTemperature + temperatureSample * config.temperatureNoise
        let humidity = min(max(trueHumidity + humiditySample * config.humidityNoise, 0), 100)
        let temperatureOK = !faults.contains(.temperature)
        let humidityOK = !faults.contains(.humidity)
        let dewPointOK = temperatureOK && humidityOK && !faults.contains(.dewPoint)
        return EnvironmentReading(
            temperature: temperatureOK ? temperature : nil,
            humidity: humidityOK ? humidity : nil,
            dewPoint: dewPointOK ? DewPoint.magnus(temperature: temperature, relativeHumidity: humidity) : nil,
            co2: faults.contains(.co2) ? nil : max(0, config.co2Baseline + co2Sample * config.co2Noise),
            doseRate: faults.contains(.doseRate)
                ? nil : max(0, config.doseRateBackground + doseRateSample * config.doseRateNoise))
    }

    /// The reading in the shared vocabulary: `temperature`, `humidity`, `dew_point`, `co2`,
    /// `dose_rate`; a faulted quantity is present with a nil value.
    public func pointValues() -> [String: PointValue?] {
        let reading = reading()
        return [
            Quantity.temperature.rawValue: reading.temperature.map(PointValue.number),
            Quantity.humidity.rawValue: reading.humidity.map(PointValue.number),
            Quantity.dewPoint.rawValue: reading.dewPoint.map(PointValue.number),
            Quantity.co2.rawValue: reading.co2.map(PointValue.number),
            Quantity.doseRate.rawValue: reading.doseRate.map(PointValue.number),
        ]
    }

    // MARK: - Events

    /// Starts a humidity excursion now: ramp to `target` %RH over `ramp` seconds, hold for `hold`
    /// seconds, return over `ramp` seconds. Replaces any excursion in progress.
    public mutating func startHumidityExcursion(target: Double, ramp: Double, hold: Double) {
        precondition((0...100).contains(target), "relative humidity is 0–100 %RH")
        excursion = HumidityExcursion(target: target, ramp: ramp, hold: hold, start: time)
    }

    /// Ends the excursion in progress at once; humidity is back on its daily cycle.
    public mutating func endHumidityExcursion() {
        excursion = nil
    }

    /// Faults the sensor of `quantity`: it reads as unavailable until cleared.
    public mutating func setFault(_ quantity: Quantity) {
        faults.insert(quantity)
    }

    /// Clears the fault of `quantity`.
    public mutating func clearFault(_ quantity: Quantity) {
        faults.remove(quantity)
    }
}
