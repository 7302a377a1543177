public import StockpileDomain

/// Wire addresses in the numbering manuals print (40001 is holding wire address 0).
public enum ManualNotation {
    /// "40100–40102" for holding wire addresses 99–101.
    public static func text(for range: AddressRange) -> String {
        let first = number(range.table, range.first)
        return range.count == 1 ? first : "\(first)–\(number(range.table, range.last))"
    }

    /// One register's manual number: the table digit, then the 1-based number, at least four digits.
    public static func number(_ table: RegisterTable, _ address: Int) -> String {
        let register = address + 1
        let digits = String(register)
        return "\(table.manualPrefix)" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
