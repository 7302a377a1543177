/// One value a device exposes, and how to decode and qualify it.
public struct ProfilePoint: Hashable, Sendable {
    /// How often a point is worth reading.
    public enum PointClass: String, Hashable, Sendable, CaseIterable {
        case measurement, status, identity, io
    }

    public var name: String
    public var table: RegisterTable
    /// First wire address (0-based).
    public var address: Int
    public var type: PointType
    public var order: WordOrder
    public var scale: Double
    public var offset: Double
    public var decimals: Int
    /// A field whose value is the decimal count, for indicators that report it elsewhere.
    public var decimalsFrom: String?
    /// A flag that negates the value when set.
    public var signFrom: String?
    public var unit: String?
    /// Raw integers meaning "no measurement".
    public var unavailableValues: [Int64]
    /// Whether NaN means "no measurement" (floats).
    public var unavailableNaN: Bool
    public var pointClass: PointClass
    public var flags: [FlagDefinition]
    public var quality: QualityRule
    /// The line in the profile file, for messages.
    public var line: Int?

    public init(
        name: String, table: RegisterTable, address: Int, type: PointType, order: WordOrder = .abcd,
        scale: Double = 1, offset: Double = 0, decimals: Int = 0, decimalsFrom: String? = nil, signFrom: String? = nil,
        unit: String? = nil, unavailableValues: [Int64] = [], unavailableNaN: Bool = false,
        pointClass: PointClass = .measurement, flags: [FlagDefinition] = [], quality: QualityRule = QualityRule(),
        line: Int? = nil
    ) {
        self.name = name
        self.table = table
        self.address = address
        self.type = type
        self.order = order
        self.scale = scale
        self.offset = offset
        self.decimals = decimals
        self.decimalsFrom = decimalsFrom
        self.signFrom = signFrom
        self.unit = unit
        self.unavailableValues = unavailableValues
        self.unavailableNaN = unavailableNaN
        self.pointClass = pointClass
        self.flags = flags
        self.quality = quality
        self.line = line
    }

    /// The wire addresses the point occupies.
    public var range: AddressRange {
        AddressRange(table: table, first: address, last: address + type.width - 1)
    }
}

/// A flag or field decoded from a status register.
public struct FlagDefinition: Hashable, Sendable {
    public var name: String
    /// Lowest bit of the field (0 = least significant).
    public var lowBit: Int
    /// Bits in the field; 1 for a plain flag.
    public var bitCount: Int
    /// Flag is true when the field equals this value (otherwise: when non-zero).
    public var equals: Int64?
    /// Flag is true when the bit is clear (a "motion" bit read as "stable").
    public var inverted: Bool
    /// A summary flag: true when any of these flags is true (Laumas has two error bits, rules want `error`).
    public var anyOf: [String]

    public init(
        name: String, lowBit: Int, bitCount: Int = 1, equals: Int64? = nil, inverted: Bool = false, anyOf: [String] = []
    ) {
        self.name = name
        self.lowBit = lowBit
        self.bitCount = bitCount
        self.equals = equals
        self.inverted = inverted
        self.anyOf = anyOf
    }

    /// The field's integer value in a raw register value.
    public func fieldValue(in raw: UInt64) -> Int64 {
        let mask: UInt64 = bitCount >= 64 ? .max : (UInt64(1) << UInt64(bitCount)) - 1
        return Int64(bitPattern: (raw >> UInt64(lowBit)) & mask)
    }

    /// The flag's truth in a raw register value.
    public func isSet(in raw: UInt64) -> Bool {
        let field = fieldValue(in: raw)
        let set = equals.map { field == $0 } ?? (field != 0)
        return set != inverted
    }
}

/// When a value is `good`: conditions that must hold, and conditions that make it `bad`.
public struct QualityRule: Hashable, Sendable {
    /// Flags that must all be true; otherwise the reading is `uncertain`.
    public var require: [String]
    /// Flags any of which, when true, make the reading `bad`.
    public var reject: [String]
    /// Flags any of which, when true, make the reading `uncertain` (a "busy" bit).
    public var doubt: [String]

    public init(require: [String] = [], reject: [String] = [], doubt: [String] = []) {
        self.require = require
        self.reject = reject
        self.doubt = doubt
    }
}

/// A command a caller may write on purpose: zero, tare, beacon on.
public struct ProfileCommand: Hashable, Sendable {
    public var name: String
    public var table: RegisterTable
    public var address: Int
    /// Register values (holding) or 0/1 (coils), written in one request.
    public var values: [UInt16]
    /// The device refuses it while its scale is not stable.
    public var refusedInMotion: Bool
    /// Written with the multiple-write function (FC 16 or FC 15) even for one value: the profile
    /// gave a `values:` list, as for devices that accept commands only that way. Otherwise one
    /// value goes with FC 6 or FC 5.
    public var listWrite: Bool

    public init(
        name: String, table: RegisterTable, address: Int, values: [UInt16], refusedInMotion: Bool = false,
        listWrite: Bool = false
    ) {
        self.name = name
        self.table = table
        self.address = address
        self.values = values
        self.refusedInMotion = refusedInMotion
        self.listWrite = listWrite || values.count > 1
    }
}

/// Raw registers and the points a correct decoder makes of them.
public struct TestVector: Hashable, Sendable {
    /// An expected point.
    public struct Expectation: Hashable, Sendable {
        public var point: String
        /// nil: the point has no value (a sentinel or an unreadable source).
        public var value: PointValue?
        public var quality: ReadingQuality?
        public var tolerance: Double?
        public var line: Int?

        public init(
            point: String, value: PointValue?, quality: ReadingQuality? = nil, tolerance: Double? = nil,
            line: Int? = nil
        ) {
            self.point = point
            self.value = value
            self.quality = quality
            self.tolerance = tolerance
            self.line = line
        }
    }

    public var name: String
    public var registers: RegisterSnapshot
    public var expectations: [Expectation]
    public var line: Int?

    public init(name: String, registers: RegisterSnapshot, expectations: [Expectation], line: Int? = nil) {
        self.name = name
        self.registers = registers
        self.expectations = expectations
        self.line = line
    }
}

extension ProfilePoint {
    /// A coil, discrete input or register bit: usable by name wherever a flag is.
    public var isBoolean: Bool {
        switch type {
        case .bool, .bit: true
        default: false
        }
    }
}
