import Foundation
import Logging
import Modbus
import Simulator
import SimulatorCore
import StockpileDomain
import StockpileTestSupport

enum SimulatorFixtures {
    /// A small warehouse: a noiseless scale served on TCP and RTU at once, two sensors on the line.
    static let scenario = """
        name: test
        seed: 11
        step: 100ms
        tcp:
          - {name: main, port: 0}
          - {name: quiet, port: 0, unknown_unit: silence}
        rtu:
          - {name: line1}
        devices:
          - name: scale
            profile: scales/laumas-tlu.yaml
            transport: [main, line1]
            unit: 1
            model: scale
            parameters: {load: 1200, noise_divisions: 0, settling_s: 2}
          - name: climate
            profile: sensors/xy-md02.yaml
            transport: line1
            unit: 2
            model: environment
            parameters: {temperature: 18, temperature_noise: 0, humidity: 40, humidity_noise: 0}
          - name: vaisala
            profile: sensors/vaisala-hmp.yaml
            transport: [line1, main]
            unit: 3
            model: environment
          - name: doors
            profile: io/generic-8ch-io.yaml
            transport: [main, quiet]
            unit: 9
            model: io
        timeline:
          - {at: 10s, device: scale, event: add_load, kg: 300}
          - {at: 20s, device: climate, fault: offline, duration: 5s}
        """

    static func load(_ text: String = scenario) throws -> Scenario {
        try ScenarioLoader(profileDirectories: [repository.appendingPathComponent("Devices").path])
            .parse(text, file: repository.appendingPathComponent("Simulators/test.yaml").path)
    }

    /// A started simulator; call `stop()` when done.
    static func start(
        _ text: String = scenario, seed: UInt64? = nil
    ) throws -> (SimulatorService, [String: SimulatorService.Endpoint]) {
        let engine = SimulationEngine(scenario: try load(text), seed: seed)
        let service = try SimulatorService(engine: engine, logger: Logger(label: "test"))
        let endpoints = try service.start()
        return (service, Dictionary(uniqueKeysWithValues: endpoints.map { ($0.name, $0) }))
    }

    static func tcpClient(
        _ endpoint: SimulatorService.Endpoint, timeout: Duration = .milliseconds(400)
    ) throws -> ModbusClient {
        try ModbusClient(
            configuration: ModbusClientConfiguration(
                transport: .tcp(host: "127.0.0.1", port: endpoint.port!), responseTimeout: timeout,
                reconnectBackoff: .milliseconds(20)))
    }

    static func rtuClient(
        _ endpoint: SimulatorService.Endpoint, timeout: Duration = .milliseconds(400)
    ) throws -> ModbusClient {
        try ModbusClient(
            configuration: ModbusClientConfiguration(
                transport: .rtu(SerialLine(device: endpoint.address, baud: 9600, parity: .even)),
                responseTimeout: timeout))
    }

    static func profile(_ relative: String) throws -> DeviceProfile {
        try ProfileLoader.load(file: repository.appendingPathComponent("Devices/\(relative)").path)
    }

    /// The `ModbusError` `body` throws, or nil.
    static func failure<T>(_ body: () async throws -> T) async -> ModbusError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? ModbusError
        }
    }
}
