import Foundation
import Modbus
import ModbusServing
import StockpileDomain
import StockpileTestSupport
import Testing

@testable import DeviceAccess

@Suite("Writing profile commands")
struct CommandWriterTests {
    static func device(_ profile: String, commands: [String]) throws -> SiteConfiguration.Device {
        let loaded = try ShippedProfiles.load("Devices/\(profile)")
        return SiteConfiguration.Device(
            name: "target", profile: loaded, profilePath: profile, bus: "main", unit: 1,
            poll: PollSchedule(every: .seconds(1)), timeout: .milliseconds(300),
            commands: loaded.commands.filter { commands.contains($0.name) })
    }

    @Test("a `values:` command goes out with FC 16 even for one register; a `value:` one with a single write")
    func functionFollowsTheProfile() async throws {
        let server = ModbusServer(units: [
            1: RegisterBank(coils: 8, discreteInputs: 8, holdingRegisters: 300, inputRegisters: 10)
        ])
        defer { server.stop() }
        let port = try server.startTCP()
        let client = try ModbusClient(
            configuration: ModbusClientConfiguration(transport: .tcp(host: "127.0.0.1", port: port)))

        // Dini Argeo DGT4X: `zero: {address: 1, values: [0x0001]}`, a multiple write by its manual.
        let dini = try Self.device("scales/dini-argeo-dgt4x.yaml", commands: ["zero"])
        let zero = try #require(dini.command(named: "zero"))
        #expect(zero.listWrite && zero.values.count == 1)
        try await CommandWriter.send(zero, to: dini, using: client)
        #expect(server.counters(for: 1).requests(.writeMultipleRegisters) == 1)
        #expect(server.counters(for: 1).requests(.writeSingleRegister) == 0)

        // The IO module's `beacon_on: {table: coil, address: 0, value: true}` is a single write.
        let io = try Self.device("io/generic-8ch-io.yaml", commands: ["beacon_on"])
        let beacon = try #require(io.command(named: "beacon_on"))
        #expect(!beacon.listWrite)
        try await CommandWriter.send(beacon, to: io, using: client)
        #expect(server.counters(for: 1).requests(.writeSingleCoil) == 1)
        #expect(server.counters(for: 1).requests(.writeMultipleCoils) == 0)
    }
}
