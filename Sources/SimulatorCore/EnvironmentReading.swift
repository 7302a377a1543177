/// What a zone's sensors report at one moment; nil where a sensor is faulted (no measurement).
public struct EnvironmentReading: Hashable, Sendable {
    /// Air temperature (°C).
    public var temperature: Double?
    /// Relative humidity (%RH), 0–100.
    public var humidity: Double?
    /// Dew point (°C), derived from the two readings above as a sensor computes it.
    public var dewPoint: Double?
    /// CO2 concentration (ppm).
    public var co2: Double?
    /// Gamma dose rate (µSv/h), never negative.
    public var doseRate: Double?

    /// A reading with every field given.
    public init(temperature: Double?, humidity: Double?, dewPoint: Double?, co2: Double?, doseRate: Double?) {
        self.temperature = temperature
        self.humidity = humidity
        self.dewPoint = dewPoint
        self.co2 = co2
        self.doseRate = doseRate
    }
}
