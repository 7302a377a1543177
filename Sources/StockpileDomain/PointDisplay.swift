import Foundation

/// How a point is shown to a person: to the resolution its profile gives it, with its unit, and
/// which points say what a device is doing (a scale's weight and stability, a sensor's climate).
public enum PointDisplay {
    /// Decimal places the point carries: its `decimals` plus those its `scale` adds (0.1 → 1).
    /// Nil when the registers do not fix it (a float, a decimal position read at run time).
    public static func decimals(of point: ProfilePoint) -> Int? {
        guard point.decimalsFrom == nil, !point.type.isFloat else { return nil }
        var places = point.decimals
        let scale = abs(point.scale)
        if scale > 0, scale < 1 { places += Int((-log10(scale) - 1e-9).rounded(.up)) }
        return places
    }

    /// `41.3`, `2400`, `true`: a number to the point's resolution (floats to at most 3 places).
    public static func text(_ value: PointValue, point: ProfilePoint?) -> String {
        guard case .number(let number) = value else { return value.description }
        if let point, let places = decimals(of: point) {
            return String(format: "%.\(places)f", number)
        }
        let rounded = (number * 1000).rounded() / 1000
        return PointValue.number(rounded).description
    }

    /// `41.3 %RH`: the value to its resolution and the point's unit.
    public static func textWithUnit(_ value: PointValue, point: ProfilePoint?) -> String {
        let text = text(value, point: point)
        guard let unit = point?.unit, !unit.isEmpty else { return text }
        return "\(text) \(unit)"
    }

    /// The points a status line shows for a device of this profile, in order: a scale's gross or net
    /// and its stability, an environment sensor's temperature and humidity (and CO2, dose rate,
    /// dew point when it has them), an IO module's doors; otherwise its first measurement.
    public static func mainPoints(of profile: DeviceProfile) -> [String] {
        let names = Set(profile.points.map(\.name)).union(profile.points.flatMap { $0.flags.map(\.name) })
        var main: [String]
        switch profile.kind {
        case .scale:
            main = [names.contains("gross") ? "gross" : "net", "stable"]
        case .environment, .radiation:
            main = ["temperature", "humidity", "dew_point", "co2", "dose_rate"]
        case .io:
            main = profile.points.map(\.name).filter { $0.hasPrefix("door_") }
        case .other:
            main = []
        }
        main = main.filter(names.contains)
        if main.isEmpty,
            let first = profile.points.first(where: { $0.pointClass == .measurement }) ?? profile.points.first
        {
            main = [first.name]
        }
        return main
    }
}
