/// Register words and bits read from one device, by table and wire address.
public struct RegisterSnapshot: Hashable, Sendable {
    public private(set) var words: [RegisterTable: [Int: UInt16]] = [:]
    public private(set) var bits: [RegisterTable: [Int: Bool]] = [:]

    public init() {}

    /// Stores registers read from `address` on.
    public mutating func store(_ values: [UInt16], table: RegisterTable, at address: Int) {
        for (index, value) in values.enumerated() { words[table, default: [:]][address + index] = value }
    }

    /// Stores coils or discrete inputs read from `address` on.
    public mutating func store(_ values: [Bool], table: RegisterTable, at address: Int) {
        for (index, value) in values.enumerated() { bits[table, default: [:]][address + index] = value }
    }

    /// The registers of a range, or nil if any of them was not read.
    public func words(in range: AddressRange) -> [UInt16]? {
        guard let table = words[range.table] else { return nil }
        var result: [UInt16] = []
        result.reserveCapacity(range.count)
        for address in range.first...range.last {
            guard let word = table[address] else { return nil }
            result.append(word)
        }
        return result
    }

    public func bit(_ table: RegisterTable, _ address: Int) -> Bool? {
        bits[table]?[address]
    }

    /// A snapshot where every address not listed reads zero (test vectors work this way).
    public func filledWithZeros(for points: [ProfilePoint]) -> RegisterSnapshot {
        var filled = self
        for point in points {
            let range = point.range
            for address in range.first...range.last {
                if range.table.holdsBits {
                    if filled.bits[range.table]?[address] == nil {
                        filled.bits[range.table, default: [:]][address] = false
                    }
                } else if filled.words[range.table]?[address] == nil {
                    filled.words[range.table, default: [:]][address] = 0
                }
            }
        }
        return filled
    }
}
