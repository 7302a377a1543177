extension EnvironmentModel {
    /// A warehouse zone's climate and background: daily cycles, baselines and noise.
    ///
    /// Defaults describe a temperate, unconditioned store room: 20 ± 3 °C peaking mid-afternoon,
    /// 45 ± 5 %RH peaking twelve hours later (relative humidity falls as the air warms), 450 ppm
    /// CO2, and a natural gamma background of 0.10 µSv/h.
    public struct Configuration: Hashable, Sendable {
        /// Hour of day (0–24) at simulated time zero.
        public var startHour: Double
        /// Daily mean temperature (°C).
        public var temperatureMean: Double
        /// Half the daily temperature swing (°C).
        public var temperatureAmplitude: Double
        /// Hour of day of the warmest reading.
        public var temperaturePeakHour: Double
        /// Standard deviation of temperature noise (°C).
        public var temperatureNoise: Double
        /// Daily mean relative humidity (%RH).
        public var humidityMean: Double
        /// Half the daily humidity swing (%RH); the cycle is opposite in phase to temperature.
        public var humidityAmplitude: Double
        /// Standard deviation of humidity noise (%RH).
        public var humidityNoise: Double
        /// CO2 concentration (ppm).
        public var co2Baseline: Double
        /// Standard deviation of CO2 noise (ppm).
        public var co2Noise: Double
        /// Gamma dose-rate background (µSv/h).
        public var doseRateBackground: Double
        /// Standard deviation of dose-rate noise (µSv/h); readings are clipped at zero.
        public var doseRateNoise: Double

        /// A configuration; every parameter has the store-room default.
        public init(
            startHour: Double = 0, temperatureMean: Double = 20, temperatureAmplitude: Double = 3,
            temperaturePeakHour: Double = 15, temperatureNoise: Double = 0.05, humidityMean: Double = 45,
            humidityAmplitude: Double = 5, humidityNoise: Double = 0.3, co2Baseline: Double = 450,
            co2Noise: Double = 10, doseRateBackground: Double = 0.10, doseRateNoise: Double = 0.01
        ) {
            self.startHour = startHour
            self.temperatureMean = temperatureMean
            self.temperatureAmplitude = temperatureAmplitude
            self.temperaturePeakHour = temperaturePeakHour
            self.temperatureNoise = temperatureNoise
            self.humidityMean = humidityMean
            self.humidityAmplitude = humidityAmplitude
            self.humidityNoise = humidityNoise
            self.co2Baseline = co2Baseline
            self.co2Noise = co2Noise
            self.doseRateBackground = doseRateBackground
            self.doseRateNoise = doseRateNoise
        }
    }
}
