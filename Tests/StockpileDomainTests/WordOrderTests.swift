import Testing
import StockpileDomain

@Suite("Word and byte orders")
struct WordOrderTests {
    @Test(
        "the four orders place bytes A B C D as documented",
        arguments: [
            (WordOrder.abcd, [UInt16(0xAABB), 0xCCDD]),
            (.cdab, [0xCCDD, 0xAABB]),
            (.badc, [0xBBAA, 0xDDCC]),
            (.dcba, [0xDDCC, 0xBBAA]),
        ])
    func placesBytes(order: WordOrder, wire: [UInt16]) {
        #expect(order.split(0xAABB_CCDD, count: 2) == wire)
        #expect(order.combine(wire) == 0xAABB_CCDD)
    }

    @Test("64-bit values round-trip through every order", arguments: WordOrder.allCases)
    func roundTrips64(order: WordOrder) {
        let value: UInt64 = 0x0102_0304_0506_0708
        let words = order.split(value, count: 4)
        #expect(order.combine(words) == value)
        if order != .abcd { #expect(words != [0x0102, 0x0304, 0x0506, 0x0708]) }
    }

    @Test("Vaisala's example float 0x41F47AE1, low word first, is 30.56 %RH")
    func vaisalaExample() {
        let raw = RawValue.decode([0x7AE1, 0x41F4], as: .float32, order: .cdab)
        guard case .float(let value) = raw else {
            Issue.record("expected a float, got \(raw)")
            return
        }
        #expect(value == 30.56, "decoded as the float's shortest decimal")
    }

    @Test("a negative int16 in two's complement decodes signed, and unsigned as uint16")
    func signedness() {
        #expect(RawValue.decode([0xFFCB], as: .int16, order: .abcd).integerValue(for: .int16) == -53)
        #expect(RawValue.decode([0xFFCB], as: .uint16, order: .abcd).integerValue(for: .uint16) == 65483)
        #expect(RawValue.decode([0xFFFF, 0xFFFE], as: .int32, order: .abcd).integerValue(for: .int32) == -2)
    }

    @Test("strings put the first character in the high byte, and BADC swaps each register")
    func strings() {
        #expect(RawValue.decode([0x4C4D, 0x4200], as: .string(registers: 2), order: .abcd) == .text("LMB"))
        #expect(RawValue.decode([0x4D4C, 0x0042], as: .string(registers: 2), order: .badc) == .text("LMB"))
    }
}
