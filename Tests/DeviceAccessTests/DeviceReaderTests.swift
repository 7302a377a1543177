import Foundation
import Modbus
import ModbusServing
import StockpileDomain
import StockpileTestSupport
import Testing

@testable import DeviceAccess

private func profile(_ relative: String) throws -> DeviceProfile {
    try ProfileLoader.load(file: repository.appendingPathComponent("Devices/\(relative)").path)
}

/// A Laumas TLU register image: status (wire 6), gross (7–8), net (9–10), as its manual lays them out.
private func laumasBank(status: UInt16, gross: UInt32, net: UInt32) -> RegisterBank {
    let bank = RegisterBank(holdingRegisters: 32)
    bank.setHoldingRegister(status, at: 6)
    bank.setHoldingRegisters(
        [UInt16(gross >> 16), UInt16(gross & 0xFFFF), UInt16(net >> 16), UInt16(net & 0xFFFF)], at: 7)
    return bank
}

private func client(port: Int, timeout: Duration = .milliseconds(300)) throws -> ModbusClient {
    try ModbusClient(
        configuration: ModbusClientConfiguration(
            transport: .tcp(host: "127.0.0.1", port: port), responseTimeout: timeout,
            reconnectBackoff: .milliseconds(20)))
}

@Suite("Reading a device through its profile")
struct DeviceReaderTests {
    @Test("a stable Laumas TLU over TCP reads 2,500 kg good, in one transaction, and writes nothing")
    func stableScale() async throws {
        let server = ModbusServer(units: [1: laumasBank(status: 0x0800, gross: 2500, net: 2500)])
        let port = try server.startTCP()
        defer { server.stop() }
        let reader = DeviceReader(profile: try profile("scales/laumas-tlu.yaml"), unit: 1)
        let result = await reader.read(using: try client(port: port))
        let gross = try #require(result.readings.first { $0.name == "gross" })
        #expect(gross.value == .number(2500))
        #expect(gross.quality == .good)
        #expect(gross.unit == "kg")
        #expect(gross.raw == [0x0000, 0x09C4])
        #expect(result.readings.first { $0.name == "stable" }?.value == .bool(true))
        #expect(result.transactions == 1)
        #expect(result.failures.isEmpty)
        #expect(server.counters(for: 1).requests(.readHoldingRegisters) == 1)
        #expect(server.counters(for: 1).writes == 0)
    }

    @Test("a scale in motion reads uncertain, and a negative sign bit negates")
    func motionAndSign() async throws {
        let server = ModbusServer(units: [1: laumasBank(status: 0x0180, gross: 25, net: 25)])
        let port = try server.startTCP()
        defer { server.stop() }
        let result = await DeviceReader(profile: try profile("scales/laumas-tlu.yaml"), unit: 1).read(
            using: try client(port: port))
        let gross = try #require(result.readings.first { $0.name == "gross" })
        #expect(gross.value == .number(-25))
        #expect(gross.quality == .uncertain)
    }

    @Test("a unit that never answers leaves every point offline, without a value")
    func offline() async throws {
        let server = ModbusServer(units: [:], unknownUnit: .ignore)
        let port = try server.startTCP()
        defer { server.stop() }
        let result = await DeviceReader(profile: try profile("scales/laumas-tlu.yaml"), unit: 9).read(
            using: try client(port: port))
        #expect(result.deviceDidNotAnswer)
        #expect(result.readings.allSatisfy { $0.quality == .offline && $0.value == nil })
        #expect(result.failures.first?.error.cause == .timeout)
    }

    @Test("an exception is never turned into a value: points go bad and the failure names them in manual notation")
    func exception() async throws {
        let server = ModbusServer(units: [1: RegisterBank(holdingRegisters: 10)])
        let port = try server.startTCP()
        defer { server.stop() }
        let result = await DeviceReader(profile: try profile("scales/laumas-tlu.yaml"), unit: 1).read(
            using: try client(port: port))
        #expect(!result.deviceDidNotAnswer)
        #expect(result.readings.allSatisfy { $0.quality == .bad && $0.value == nil })
        let failure = try #require(result.failures.first)
        #expect(failure.error.cause == .exception(.illegalDataAddress))
        #expect(
            failure.description.hasPrefix(
                "illegal data address (exception 2) reading holding 0–13 (40001–40014; unit 1; points "))
        #expect(failure.description.contains("gross"))
    }

    @Test("only the failed read's points lose their values")
    func partialFailure() async throws {
        let bank = RegisterBank(coils: 8, discreteInputs: 8)
        bank.setDiscreteInput(true, at: 1)
        let server = ModbusServer(
            units: [1: bank],
            behavior: ClosureServerBehavior { request in
                request.functionCode == 1 ? .exception(.serverDeviceBusy) : .reply
            })
        let port = try server.startTCP()
        defer { server.stop() }
        let result = await DeviceReader(profile: try profile("io/generic-8ch-io.yaml"), unit: 1).read(
            using: try client(port: port))
        #expect(result.transactions == 2)
        #expect(result.readings.first { $0.name == "door_2" }?.value == .bool(true))
        #expect(result.readings.first { $0.name == "door_2" }?.quality == .good)
        #expect(result.readings.first { $0.name == "beacon" }?.quality == .bad)
        #expect(result.readings.first { $0.name == "beacon" }?.value == nil)
    }

    @Test("an XY-MD02 on an RTU line reads -5.3 °C and 45.2 %RH")
    func rtuSensor() async throws {
        let terminal = try PseudoTerminal()
        let bank = RegisterBank(inputRegisters: 8)
        bank.setInputRegisters([0xFFCB, 452], at: 1)
        let server = ModbusServer(units: [3: bank])
        try server.startRTU(on: terminal)
        defer {
            server.stop()
            terminal.close()
        }
        let client = try ModbusClient(
            configuration: ModbusClientConfiguration(
                transport: .rtu(SerialLine(device: terminal.slavePath, baud: 115_200, parity: .none)),
                responseTimeout: .milliseconds(300)))
        let result = await DeviceReader(profile: try profile("sensors/xy-md02.yaml"), unit: 3).read(using: client)
        let temperature = try #require(result.readings.first { $0.name == "temperature" }?.value?.number)
        #expect(abs(temperature - -5.3) < 1e-9)
        let humidity = try #require(result.readings.first { $0.name == "humidity" }?.value?.number)
        #expect(abs(humidity - 45.2) < 1e-9)
    }
}

@Suite("Raw reads and manual notation")
struct RawReadTests {
    @Test(
        "TABLE:ADDR:COUNT parses 0-based, and --one-based accepts both 8 and 40008",
        arguments: [
            ("holding:7:2", false, RawRead(table: .holding, address: 7, count: 2)),
            ("holding:8:2", true, RawRead(table: .holding, address: 7, count: 2)),
            ("holding:40008:2", true, RawRead(table: .holding, address: 7, count: 2)),
            ("input:30002:1", true, RawRead(table: .input, address: 1, count: 1)),
            ("coil:0:8", false, RawRead(table: .coil, address: 0, count: 8)),
            ("discrete:10001:4", true, RawRead(table: .discrete, address: 0, count: 4)),
        ])
    func parses(text: String, oneBased: Bool, expected: RawRead) throws {
        let parsed = try RawRead.parse(text, oneBased: oneBased)
        #expect(parsed == expected)
    }

    @Test(
        "malformed reads are refused with the reason",
        arguments: [
            ("register:0:1", false, "unknown table"), ("holding:x:1", false, "whole number"),
            ("holding:0:126", false, "1–125"),
            ("holding:0:1", true, "start at 1"), ("holding:30001:1", true, "not a holding register"),
        ])
    func refuses(text: String, oneBased: Bool, reason: String) {
        do {
            _ = try RawRead.parse(text, oneBased: oneBased)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test("manual numbers carry the table digit")
    func manual() {
        #expect(ManualNotation.text(for: AddressRange(table: .holding, first: 99, last: 101)) == "40100–40102")
        #expect(ManualNotation.number(.input, 0) == "30001")
        #expect(ManualNotation.number(.coil, 9) == "00010")
    }
}
