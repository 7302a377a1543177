internal import CModbus

/// The bridge's reading of an errno or libmodbus error number, shared with the server target.
package enum ModbusErrorCode {
    /// libmodbus's text for the code (`modbus_strerror`).
    package static func text(for code: Int32) -> String {
        ModbusConnection.text(for: code)
    }

    /// The cause a poller acts on.
    package static func cause(for code: Int32) -> ModbusError.Cause {
        ModbusConnection.cause(for: code)
    }
}
