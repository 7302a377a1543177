public import Modbus
public import StockpileDomain

/// Writes a profile command (zero, tare, beacon on) to one device: the only write Stockpile makes.
///
/// It takes a command the site file enabled for the device (`SiteConfiguration.Device.commands`),
/// never a profile's command directly, so nothing reaches a device unless its site says so.
public enum CommandWriter {
    /// Sends `command`'s values in one request: a `values:` list with FC 16 (holding) or FC 15
    /// (coils), even of one value; a single `value:` with FC 6 or FC 5. Not retried: a write that
    /// timed out may still have acted.
    public static func send(
        _ command: ProfileCommand, to device: SiteConfiguration.Device, using client: ModbusClient
    ) async throws(ModbusError) {
        let unit = device.unit
        await client.setResponseTimeout(device.timeout)
        switch command.table {
        case .coil:
            try await client.writeCoils(
                unit: unit, address: command.address, values: command.values.map { $0 != 0 },
                multiple: command.listWrite)
        default:
            try await client.writeRegisters(
                unit: unit, address: command.address, values: command.values, multiple: command.listWrite)
        }
    }

    /// The enabled command named `name` of `device`, or why there is none, in words for the operator.
    public static func enabledCommand(
        named name: String, of device: SiteConfiguration.Device
    ) -> Result<ProfileCommand, CommandRefusal> {
        if let command = device.command(named: name) { return .success(command) }
        let enabled = device.commands.map(\.name)
        let offered = device.profile.commands.map(\.name)
        if !offered.contains(name) {
            let list = offered.isEmpty ? "none" : offered.joined(separator: ", ")
            return .failure(
                CommandRefusal("the profile \(device.profilePath) has no command \"\(name)\" (it has: \(list))"))
        }
        let list = enabled.isEmpty ? "none" : enabled.joined(separator: ", ")
        return .failure(
            CommandRefusal(
                "the site file does not enable \"\(name)\" for \(device.name) (enabled: \(list)); "
                    + "add it to the device's commands to allow it"))
    }
}

/// Why a command was not sent.
public struct CommandRefusal: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
