public import Modbus
/// A request as a server received it: the unit, the function code, the range, and what it writes.
///
/// Decoded from the PDU (function code and data) of a framed request; a field the function does
/// not carry, or that a malformed PDU is too short for, is nil. The raw PDU is kept for functions
/// this type does not decode.
public struct ModbusRequest: Hashable, Sendable {
    /// The unit id (slave id) the request is addressed to; 0 is the RTU broadcast address.
    public var unit: UInt8
    /// The function code as sent, whether or not the server supports it.
    public var functionCode: UInt8
    /// The first wire address (0-based), for functions that carry one.
    public var address: Int?
    /// How many registers or bits the request reads or writes (1 for the single-write functions).
    public var count: Int?
    /// The register values of a write (FC 6 and 16).
    public var writtenRegisters: [UInt16]?
    /// The coil values of a write (FC 5 and 15); FC 5 with a value other than 0x0000 and 0xFF00
    /// decodes as nil, since a slave answers it with exception 3.
    public var writtenCoils: [Bool]?
    /// The protocol data unit: the function code and its data, without the unit, header or CRC.
    public var pdu: [UInt8]

    /// Decodes a request from its unit and PDU.
    public init(unit: UInt8, pdu: [UInt8]) {
        self.unit = unit
        self.pdu = pdu
        functionCode = pdu.first ?? 0
        switch functionCode {
        case 1...4:
            address = word(at: 1)
            count = word(at: 3)
        case 5:
            address = word(at: 1)
            count = 1
            switch word(at: 3) {
            case 0xFF00: writtenCoils = [true]
            case 0x0000: writtenCoils = [false]
            default: writtenCoils = nil
            }
        case 6:
            address = word(at: 1)
            count = 1
            writtenRegisters = word(at: 3).map { [UInt16($0)] }
        case 15:
            address = word(at: 1)
            count = word(at: 3)
            if let count, pdu.count >= 6 + (count + 7) / 8 {
                writtenCoils = (0..<count).map { pdu[6 + $0 / 8] & (1 << ($0 % 8)) != 0 }
            }
        case 16:
            address = word(at: 1)
            count = word(at: 3)
            if let count, pdu.count >= 6 + count * 2 {
                writtenRegisters = (0..<count).map { UInt16(word(at: 6 + $0 * 2)!) }
            }
        default:
            break
        }
    }

    /// The function, when it is one the bridge knows.
    public var function: ModbusFunction? { ModbusFunction(code: functionCode) }

    /// True for the four write functions (5, 6, 15, 16).
    public var isWrite: Bool { [5, 6, 15, 16].contains(functionCode) }

    /// The byte count field of FC 15 and 16, which must agree with the count.
    var byteCount: Int? { [15, 16].contains(functionCode) && pdu.count > 5 ? Int(pdu[5]) : nil }

    /// The big-endian 16-bit field at `offset` in the PDU, if the PDU is long enough.
    func word(at offset: Int) -> Int? {
        guard offset >= 0, pdu.count >= offset + 2 else { return nil }
        return Int(pdu[offset]) << 8 | Int(pdu[offset + 1])
    }
}

extension ModbusFunction {
    /// The function for a wire code, or nil for codes the bridge does not implement.
    public init?(code: UInt8) {
        switch code {
        case 1: self = .readCoils
        case 2: self = .readDiscreteInputs
        case 3: self = .readHoldingRegisters
        case 4: self = .readInputRegisters
        case 5: self = .writeSingleCoil
        case 6: self = .writeSingleRegister
        case 15: self = .writeMultipleCoils
        case 16: self = .writeMultipleRegisters
        case 17: self = .reportServerID
        default: return nil
        }
    }
}
