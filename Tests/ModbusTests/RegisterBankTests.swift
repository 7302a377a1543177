import Modbus
import ModbusServing
import Testing

@Suite("Register bank and request decoding")
struct RegisterBankTests {
    @Test("each table keeps its own values, starting at address 0")
    func tablesAreSeparate() {
        let bank = RegisterBank(coils: 8, discreteInputs: 8, holdingRegisters: 4, inputRegisters: 4)
        bank.setHoldingRegisters([1, 2, 3, 4], at: 0)
        bank.setInputRegister(99, at: 3)
        bank.setCoils([true, false, true], at: 5)
        bank.setDiscreteInput(true, at: 0)

        #expect(bank.holdingRegisters(at: 0, count: 4) == [1, 2, 3, 4])
        #expect(bank.inputRegisters(at: 0, count: 4) == [0, 0, 0, 99])
        #expect(bank.coils(at: 4, count: 4) == [false, true, false, true])
        #expect(bank.discreteInputs(at: 0, count: 2) == [true, false])
        #expect(bank.holdingRegisterCount == 4 && bank.coilCount == 8)
    }

    @Test("a write multiple registers PDU decodes to unit, range and values")
    func decodesWriteMultipleRegisters() {
        let request = ModbusRequest(unit: 7, pdu: [16, 0x00, 0x0A, 0x00, 0x02, 0x04, 0x12, 0x34, 0xAB, 0xCD])
        #expect(request.function == .writeMultipleRegisters)
        #expect(request.address == 10 && request.count == 2)
        #expect(request.writtenRegisters == [0x1234, 0xABCD])
        #expect(request.isWrite)
    }

    @Test("a write multiple coils PDU decodes its bits least significant first")
    func decodesWriteMultipleCoils() {
        let request = ModbusRequest(unit: 1, pdu: [15, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01])
        #expect(request.address == 19 && request.count == 10)
        #expect(request.writtenCoils == [true, false, true, true, false, false, true, true, true, false])
    }

    @Test("a truncated or unknown PDU decodes without crashing, fields it lacks left nil")
    func decodesMalformedPDUs() {
        #expect(ModbusRequest(unit: 1, pdu: []).functionCode == 0)
        #expect(ModbusRequest(unit: 1, pdu: [3, 0]).address == nil)
        #expect(ModbusRequest(unit: 1, pdu: [16, 0, 0, 0, 5, 10, 1]).writtenRegisters == nil)
        #expect(ModbusRequest(unit: 1, pdu: [5, 0, 1, 0x12, 0x34]).writtenCoils == nil)
        #expect(ModbusRequest(unit: 1, pdu: [43, 14, 1, 0]).function == nil)
    }
}
