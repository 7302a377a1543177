import Foundation

/// Every way a run of registers can be read, for a technician facing an undocumented device.
///
/// For each start register and each type, the value under each of the four orders, side by side.
/// The right interpretation is usually the one that looks like the display on the device.
public struct RegisterInterpretations: Sendable {
    /// One start register and type, decoded under every order.
    public struct Row: Hashable, Sendable {
        /// Offset of the first register within the registers given.
        public var offset: Int
        public var type: PointType
        /// Values by order: ABCD, CDAB, BADC, DCBA (16-bit types: ABCD and BADC only).
        public var values: [WordOrder: String]
    }

    public let registers: [UInt16]

    public init(registers: [UInt16]) {
        self.registers = registers
    }

    /// The types tried, narrowest first.
    public static let types: [PointType] = [.int16, .uint16, .int32, .uint32, .float32, .int64, .uint64, .float64]

    /// The same rows with each value as JSON wants it: a number (exact integer or finite float), a
    /// text, or `NSNull` for a float that is NaN or infinite.
    public func jsonRows() -> [(row: Row, values: [WordOrder: JSONScalar])] {
        rows().map { row in
            var values: [WordOrder: JSONScalar] = [:]
            for (order, text) in row.values {
                if case .string = row.type {
                    values[order] = .text(text)
                } else if row.type.isSigned, let value = Int64(text) {
                    values[order] = .integer(value)
                } else if let value = UInt64(text) {
                    values[order] = .unsigned(value)
                } else if let value = Double(text), value.isFinite {
                    values[order] = .number(value)
                } else {
                    values[order] = .null
                }
            }
            return (row, values)
        }
    }

    /// One JSON value of an interpretation.
    public enum JSONScalar: Hashable, Sendable {
        case integer(Int64), unsigned(UInt64), number(Double), text(String), null

        /// The value for `JSONSerialization`.
        public var object: Any {
            switch self {
            case .integer(let value): value
            case .unsigned(let value): value
            case .number(let value): value
            case .text(let value): value
            case .null: NSNull()
            }
        }
    }

    public func rows() -> [Row] {
        var rows: [Row] = []
        for type in Self.types {
            guard type.width <= registers.count else { continue }
            for offset in 0...(registers.count - type.width) {
                let words = Array(registers[offset..<(offset + type.width)])
                var values: [WordOrder: String] = [:]
                for order in WordOrder.allCases where type.width > 1 || !order.lowWordFirst {
                    values[order] = Self.text(RawValue.decode(words, as: type, order: order), type: type)
                }
                rows.append(Row(offset: offset, type: type, values: values))
            }
        }
        if !registers.isEmpty {
            var values: [WordOrder: String] = [:]
            for order in [WordOrder.abcd, .badc] {
                values[order] = Self.text(
                    RawValue.decode(registers, as: .string(registers: registers.count), order: order),
                    type: .string(registers: registers.count))
            }
            rows.append(Row(offset: 0, type: .string(registers: registers.count), values: values))
        }
        return rows
    }

    static func text(_ raw: RawValue, type: PointType) -> String {
        switch raw {
        case .integer(let signed, let unsigned):
            // Exactly, from the integer itself: through a Double, 64-bit values beyond 2^53 lose digits.
            return type.isSigned ? String(signed) : String(unsigned)
        case .float(let value):
            if value.isNaN { return "NaN" }
            let magnitude = abs(value)
            if magnitude != 0, magnitude < 1e-6 || magnitude > 1e12 { return "\(value)" }
            return PointValue.format((value * 1e6).rounded() / 1e6)
        case .bool(let value):
            return value ? "1" : "0"
        case .text(let text):
            return "\"" + String(text.unicodeScalars.map { $0.value >= 32 && $0.value < 127 ? Character($0) : "." })
                + "\""
        }
    }
}
