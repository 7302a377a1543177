/// How a point's raw bits become a value.
public enum PointType: Hashable, Sendable {
    /// A coil or discrete input.
    case bool
    /// One bit (0–15) of a register.
    case bit(Int)
    case int16, uint16, int32, uint32, int64, uint64, float32, float64
    /// Text over this many registers, two characters each.
    case string(registers: Int)

    /// Registers (or bits, for `bool`) the point occupies.
    public var width: Int {
        switch self {
        case .bool, .bit, .int16, .uint16: 1
        case .int32, .uint32, .float32: 2
        case .int64, .uint64, .float64: 4
        case .string(let registers): registers
        }
    }

    public var isInteger: Bool {
        switch self {
        case .int16, .uint16, .int32, .uint32, .int64, .uint64: true
        default: false
        }
    }

    public var isFloat: Bool { self == .float32 || self == .float64 }

    public var isSigned: Bool { self == .int16 || self == .int32 || self == .int64 }

    /// The name used in profiles.
    public var name: String {
        switch self {
        case .bool: "bool"
        case .bit: "bit"
        case .int16: "int16"
        case .uint16: "uint16"
        case .int32: "int32"
        case .uint32: "uint32"
        case .int64: "int64"
        case .uint64: "uint64"
        case .float32: "float32"
        case .float64: "float64"
        case .string: "string"
        }
    }
}
