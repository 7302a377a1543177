/// The raw reading of one point, before decimals, sign, scale and offset.
public enum RawValue: Hashable, Sendable {
    /// An integer type: both interpretations of its bits, for sentinels and flags.
    case integer(signed: Int64, unsigned: UInt64)
    case float(Double)
    case bool(Bool)
    case text(String)

    /// Decodes registers as `type` in `order`. `words.count` must equal `type.width`.
    public static func decode(_ words: [UInt16], as type: PointType, order: WordOrder) -> RawValue {
        switch type {
        case .bool, .bit(_):
            // A register-backed bit: the caller picks it out of the word.
            if case .bit(let bit) = type { return .bool(words[0] & (1 << UInt16(bit)) != 0) }
            return .bool(words.first.map { $0 != 0 } ?? false)
        case .int16, .uint16, .int32, .uint32, .int64, .uint64:
            let bits = order.combine(words)
            let signed: Int64 =
                switch type {
                case .int16, .uint16: Int64(Int16(truncatingIfNeeded: bits))
                case .int32, .uint32: Int64(Int32(truncatingIfNeeded: bits))
                default: Int64(bitPattern: bits)
                }
            return .integer(signed: signed, unsigned: bits)
        case .float32:
            // The float's shortest decimal form (30.56, not 30.559999465942383): what the device
            // meant, and what a technician compares with its display.
            let single = Float(bitPattern: UInt32(truncatingIfNeeded: order.combine(words)))
            return .float(Double("\(single)") ?? Double(single))
        case .float64:
            return .float(Double(bitPattern: order.combine(words)))
        case .string:
            var bytes: [UInt8] = []
            for word in words {
                let wire = order.swapsBytes ? word.byteSwapped : word
                bytes.append(UInt8(wire >> 8))
                bytes.append(UInt8(wire & 0xFF))
            }
            let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            return .text(String(text.reversed().drop { $0 == " " }.reversed()))
        }
    }

    /// The integer the type means: signed types signed, unsigned types unsigned.
    public func integerValue(for type: PointType) -> Double? {
        guard case .integer(let signed, let unsigned) = self else { return nil }
        return type.isSigned ? Double(signed) : Double(unsigned)
    }
}
