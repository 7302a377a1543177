/// A Modbus exception code as a slave sends it (1–11), with the name technicians know it by.
///
/// An open code space: any byte can arrive on the wire, so this is a struct with named constants
/// rather than a closed enum.
public struct ModbusException: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let illegalFunction = ModbusException(rawValue: 1)
    public static let illegalDataAddress = ModbusException(rawValue: 2)
    public static let illegalDataValue = ModbusException(rawValue: 3)
    public static let serverDeviceFailure = ModbusException(rawValue: 4)
    public static let acknowledge = ModbusException(rawValue: 5)
    public static let serverDeviceBusy = ModbusException(rawValue: 6)
    public static let negativeAcknowledge = ModbusException(rawValue: 7)
    public static let memoryParityError = ModbusException(rawValue: 8)
    public static let notDefined = ModbusException(rawValue: 9)
    public static let gatewayPathUnavailable = ModbusException(rawValue: 10)
    public static let gatewayTargetFailedToRespond = ModbusException(rawValue: 11)

    /// The name from the Modbus Application Protocol specification v1.1b3, §7.
    public var name: String {
        switch rawValue {
        case 1: "illegal function"
        case 2: "illegal data address"
        case 3: "illegal data value"
        case 4: "server device failure"
        case 5: "acknowledge"
        case 6: "server device busy"
        case 7: "negative acknowledge"
        case 8: "memory parity error"
        case 9: "not defined"
        case 10: "gateway path unavailable"
        case 11: "gateway target device failed to respond"
        default: "unknown exception"
        }
    }

    public var description: String { "\(name) (exception \(rawValue))" }
}
