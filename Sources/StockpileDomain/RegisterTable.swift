/// The four Modbus data tables.
public enum RegisterTable: String, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case coil
    case discrete
    case holding
    case input

    /// Coils and discrete inputs hold bits; holding and input registers hold 16-bit words.
    public var holdsBits: Bool { self == .coil || self == .discrete }

    /// The leading digit of the table in manual notation (0xxxx, 1xxxx, 3xxxx, 4xxxx).
    public var manualPrefix: Int {
        switch self {
        case .coil: 0
        case .discrete: 1
        case .input: 3
        case .holding: 4
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: RegisterTable, rhs: RegisterTable) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
