/// A decoded value.
public enum PointValue: Hashable, Sendable, CustomStringConvertible {
    case number(Double)
    case bool(Bool)
    case text(String)

    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var description: String {
        switch self {
        case .number(let value): PointValue.format(value)
        case .bool(let value): value ? "true" : "false"
        case .text(let value): value
        }
    }

    /// Integers without a decimal point, other numbers in their shortest exact form.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
