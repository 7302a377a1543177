import DeviceAccess
import Foundation
import Modbus
import ModbusServing
import Simulator
import SimulatorCore
import StockpileDomain
import Testing

@Suite("Serving a scenario over Modbus")
struct SimulatorServingTests {
    @Test("one scale model answers the same weight on TCP and on the RTU line")
    func sameModelOnBoth() async throws {
        let (service, endpoints) = try SimulatorFixtures.start()
        defer { service.stop() }
        let profile = try SimulatorFixtures.profile("scales/laumas-tlu.yaml")
        let overTCP = await DeviceReader(profile: profile, unit: 1).read(
            using: try SimulatorFixtures.tcpClient(endpoints["main"]!))
        let overRTU = await DeviceReader(profile: profile, unit: 1).read(
            using: try SimulatorFixtures.rtuClient(endpoints["line1"]!))
        let tcpGross = overTCP.readings.first { $0.name == "gross" }
        let rtuGross = overRTU.readings.first { $0.name == "gross" }
        #expect(tcpGross?.value == .number(1200))
        #expect(tcpGross?.quality == .good)
        #expect(rtuGross?.value == tcpGross?.value)
        #expect(endpoints["line1"]?.kind == "rtu")
    }

    @Test("three unit ids on one RTU line each answer with their own profile's values")
    func severalUnitsOnOneLine() async throws {
        let (service, endpoints) = try SimulatorFixtures.start()
        defer { service.stop() }
        let client = try SimulatorFixtures.rtuClient(endpoints["line1"]!)
        let scale = await DeviceReader(profile: try SimulatorFixtures.profile("scales/laumas-tlu.yaml"), unit: 1).read(
            using: client)
        let climate = await DeviceReader(profile: try SimulatorFixtures.profile("sensors/xy-md02.yaml"), unit: 2).read(
            using: client)
        let vaisala = await DeviceReader(profile: try SimulatorFixtures.profile("sensors/vaisala-hmp.yaml"), unit: 3)
            .read(using: client)
        #expect(scale.readings.first { $0.name == "gross" }?.value == .number(1200))
        let temperature = try #require(climate.readings.first { $0.name == "temperature" }?.value?.number)
        let model = try #require(service.engine.status(of: "climate")?.values["temperature"]??.number)
        #expect(abs(temperature - model) <= 0.05, "×0.1 resolution")
        let humidity = try #require(vaisala.readings.first { $0.name == "humidity" })
        #expect(humidity.quality == .good)
        let modelHumidity = try #require(service.engine.status(of: "vaisala")?.values["humidity"]??.number)
        #expect(abs((humidity.value?.number ?? 0) - modelHumidity) < 1e-3, "float32, low word first")
    }

    @Test("an unknown unit gets exception 11 on one port and silence on another, as configured")
    func unknownUnits() async throws {
        let (service, endpoints) = try SimulatorFixtures.start()
        defer { service.stop() }
        let loud = await SimulatorFixtures.failure {
            try await SimulatorFixtures.tcpClient(endpoints["main"]!).readHoldingRegisters(
                unit: 77, address: 0, count: 1)
        }
        #expect(loud?.cause == .exception(.gatewayTargetFailedToRespond))
        let quiet = await SimulatorFixtures.failure {
            try await SimulatorFixtures.tcpClient(endpoints["quiet"]!, timeout: .milliseconds(200))
                .readHoldingRegisters(unit: 77, address: 0, count: 1)
        }
        #expect(quiet?.cause == .timeout)
    }

    @Test("faults set on a device are what a client sees: exception, silence, then recovery")
    func faultsOverTheWire() async throws {
        let (service, endpoints) = try SimulatorFixtures.start()
        defer { service.stop() }
        let client = try SimulatorFixtures.tcpClient(endpoints["main"]!, timeout: .milliseconds(200))
        service.engine.trigger(.fault(Fault(kind: .exception(code: 6, probability: 1), requests: 1)), device: "scale")
        let busy = await SimulatorFixtures.failure {
            try await client.readHoldingRegisters(unit: 1, address: 0, count: 14)
        }
        #expect(busy?.cause == .exception(.serverDeviceBusy))
        service.engine.trigger(.fault(Fault(kind: .offline)), device: "scale")
        let silent = await SimulatorFixtures.failure {
            try await client.readHoldingRegisters(unit: 1, address: 0, count: 14)
        }
        #expect(silent?.cause == .timeout)
        service.engine.trigger(.clearFaults, device: "scale")
        let words = try await client.readHoldingRegisters(unit: 1, address: 7, count: 2)
        #expect(words == [0, 1200])
    }

    @Test("a slow device does not hold up its neighbours on the same port")
    func slowDeviceIsolated() async throws {
        let (service, endpoints) = try SimulatorFixtures.start()
        defer { service.stop() }
        service.engine.trigger(.fault(Fault(kind: .slow(delay: 0.8, jitter: 0))), device: "scale")
        let slowClient = try SimulatorFixtures.tcpClient(endpoints["main"]!, timeout: .seconds(2))
        let fastClient = try SimulatorFixtures.tcpClient(endpoints["main"]!)
        async let slow = slowClient.withSession { client in
            let start = ContinuousClock.now
            let words = try client.readHoldingRegisters(unit: 1, address: 7, count: 2)
            return (words, start, ContinuousClock.now)
        }
        try await Task.sleep(for: .milliseconds(50))
        let fastEnd = try await fastClient.withSession { client in
            for _ in 0..<10 { _ = try client.readDiscreteInputs(unit: 9, address: 0, count: 8) }
            return ContinuousClock.now
        }
        let (words, slowStart, slowEnd) = try await slow
        #expect(words == [0, 1200])
        #expect(slowEnd - slowStart >= .milliseconds(750))
        #expect(fastEnd < slowEnd, "ten reads of the IO module were answered while the scale's answer was pending")
    }

    @Test("a port already in use is a clear error naming the scenario and the transport")
    func portInUse() throws {
        let blocker = ModbusServer()
        let port = try blocker.startTCP()
        defer { blocker.stop() }
        let text = SimulatorFixtures.scenario.replacingOccurrences(
            of: "{name: main, port: 0}", with: "{name: main, port: \(port)}")
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load(text))
        let service = try SimulatorService(engine: engine, logger: .init(label: "test"))
        defer { service.stop() }
        do {
            _ = try service.start()
            Issue.record("started on a port in use")
        } catch {
            #expect(error.description.contains("Simulators/test.yaml:5: tcp main: cannot listen on 127.0.0.1:\(port)"))
        }
    }
}
