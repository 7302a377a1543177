/// The Modbus operations the bridge performs, named for error messages and logs.
public enum ModbusFunction: String, Hashable, Sendable, CustomStringConvertible {
    case connect
    case readCoils
    case readDiscreteInputs
    case readHoldingRegisters
    case readInputRegisters
    case writeSingleCoil
    case writeSingleRegister
    case writeMultipleCoils
    case writeMultipleRegisters
    case reportServerID

    /// The function code on the wire (0 for `connect`, which is not a Modbus request).
    public var code: UInt8 {
        switch self {
        case .connect: 0
        case .readCoils: 1
        case .readDiscreteInputs: 2
        case .readHoldingRegisters: 3
        case .readInputRegisters: 4
        case .writeSingleCoil: 5
        case .writeSingleRegister: 6
        case .writeMultipleCoils: 15
        case .writeMultipleRegisters: 16
        case .reportServerID: 17
        }
    }

    /// The verb and table as a technician reads it: "reading holding", "writing coil".
    public var description: String {
        switch self {
        case .connect: "connecting"
        case .readCoils: "reading coil"
        case .readDiscreteInputs: "reading discrete"
        case .readHoldingRegisters: "reading holding"
        case .readInputRegisters: "reading input"
        case .writeSingleCoil, .writeMultipleCoils: "writing coil"
        case .writeSingleRegister, .writeMultipleRegisters: "writing holding"
        case .reportServerID: "reading server id"
        }
    }
}
