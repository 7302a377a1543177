import Testing
import StockpileDomain

@Suite("Guessing word order from raw registers")
struct RegisterInterpretationsTests {
    @Test("a low-word-first float shows its true value in the CDAB column")
    func floatColumn() throws {
        let rows = RegisterInterpretations(registers: [0x7AE1, 0x41F4]).rows()
        let float = try #require(rows.first { $0.type == .float32 && $0.offset == 0 })
        #expect(float.values[.cdab] == "30.56")
        #expect(float.values[.abcd] != float.values[.cdab])
        #expect(float.values.count == 4)
    }

    @Test("16-bit rows show the two byte orders and every start offset")
    func sixteenBit() {
        let rows = RegisterInterpretations(registers: [0x0102, 0x0304, 0x0506]).rows()
        let int16 = rows.filter { $0.type == .int16 }
        #expect(int16.map(\.offset) == [0, 1, 2])
        #expect(int16[0].values == [.abcd: "258", .badc: "513"])
        #expect(rows.filter { $0.type == .int32 }.map(\.offset) == [0, 1])
        #expect(rows.contains { $0.type == .float64 } == false)
    }
}
