/// Dew point from temperature and relative humidity, by the Magnus formula.
///
/// Td = b·γ / (a − γ) with γ = ln(RH / 100) + a·T / (b + T), and the constants a = 17.625,
/// b = 243.04 °C recommended by Alduchov and Eskridge (1996), "Improved Magnus form approximation
/// of saturation vapor pressure", J. Appl. Meteor. 35, 601–609: within 0.4 % of the saturation
/// vapour pressure from −40 °C to 50 °C. 20 °C at 50 %RH gives 9.26 °C.
public enum DewPoint {
    /// Magnus coefficient a (dimensionless), Alduchov and Eskridge 1996.
    public static let a = 17.625
    /// Magnus coefficient b (°C), Alduchov and Eskridge 1996.
    public static let b = 243.04

    /// The dew point (°C), or nil when it is undefined (no humidity at all, or T at or below −b).
    public static func magnus(temperature: Double, relativeHumidity: Double) -> Double? {
        guard relativeHumidity > 0, temperature > -b else { return nil }
        let gamma = PortableMath.log(relativeHumidity / 100) + a * temperature / (b + temperature)
        return b * gamma / (a - gamma)
    }
}
