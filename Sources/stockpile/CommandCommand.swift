import ArgumentParser
import DeviceAccess
import Foundation
import Modbus
import StockpileAgent
import StockpileDomain

/// `stockpile command --site SITE.yaml --device D NAME`: send one enabled profile command.
struct CommandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "command",
        abstract: "Send a profile command (zero, tare, …) the site file enables for a device.",
        discussion: """
            Refused, with nothing sent, unless the device's `commands` in the site file name it.
            Sent once, never retried. A serial line takes one master at a time: on an RTU bus, stop
            the agent first.
            """)

    @Option(
        help: ArgumentHelp("Site file.", valueName: "SITE.yaml"),
        transform: OptionValue.path)
    var site: String

    @Option(help: "Device name, as in the site file.")
    var device: String

    @Argument(help: "The command's name in the device's profile.")
    var name: String

    @Option(
        name: .customLong("devices"), help: ArgumentHelp("Extra directory of device profiles.", valueName: "DIR"),
        transform: OptionValue.directory)
    var devices: [String] = []

    func run() async throws {
        let configuration = try CommandFailure.loadSite(site, devices: devices)
        guard let target = configuration.device(named: device) else {
            throw CommandFailure.exit("\(site): no device named \"\(device)\"")
        }
        let command: ProfileCommand
        switch CommandWriter.enabledCommand(named: name, of: target) {
        case .success(let enabled): command = enabled
        case .failure(let refusal): throw CommandFailure.exit(refusal.description)
        }
        guard let bus = configuration.bus(named: target.bus) else {
            throw CommandFailure.exit("\(site): no bus named \"\(target.bus)\"")
        }
        do {
            let client = try ModbusClient(configuration: ModbusClientConfiguration(bus: bus))
            try await CommandWriter.send(command, to: target, using: client)
            await client.finish()
        } catch {
            throw CommandFailure.exit("\(name) on \(device) (unit \(target.unit), \(bus)): \(error)")
        }
        Output.line("\(name) sent to \(device) (unit \(target.unit) on \(bus.name)): accepted")
    }
}
