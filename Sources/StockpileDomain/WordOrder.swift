/// How a value wider than one byte is laid out over registers.
///
/// Named by where the big-endian bytes A B C D (A most significant) land: `ABCD` is the Modbus
/// convention, `CDAB` sends the low word first, `BADC` swaps bytes within each word, `DCBA` is fully
/// little-endian. Wider and narrower values follow the same two rules: word order and byte swap.
public enum WordOrder: String, Hashable, Sendable, CaseIterable {
    case abcd = "ABCD"
    case cdab = "CDAB"
    case badc = "BADC"
    case dcba = "DCBA"

    /// True when the least-significant word comes first.
    public var lowWordFirst: Bool { self == .cdab || self == .dcba }
    /// True when the two bytes of each register are swapped.
    public var swapsBytes: Bool { self == .badc || self == .dcba }

    /// Joins registers into one unsigned integer, most significant bits first.
    public func combine(_ words: some Collection<UInt16>) -> UInt64 {
        let ordered = lowWordFirst ? Array(words.reversed()) : Array(words)
        return ordered.reduce(UInt64(0)) { value, word in
            (value << 16) | UInt64(swapsBytes ? word.byteSwapped : word)
        }
    }

    /// Splits an unsigned integer of `count` registers into wire order; the inverse of `combine`.
    public func split(_ value: UInt64, count: Int) -> [UInt16] {
        var words = (0..<count).map { index -> UInt16 in
            let shift = UInt64(16 * (count - 1 - index))
            let word = UInt16(truncatingIfNeeded: value >> shift)
            return swapsBytes ? word.byteSwapped : word
        }
        if lowWordFirst { words.reverse() }
        return words
    }
}
