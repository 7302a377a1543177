import Foundation
import Modbus
import Testing

@Suite("stockpile simulate --trace")
struct SimulateTraceTests {
    static let scenario = """
        name: trace
        tcp:
          - {name: main, port: 0}
        devices:
          - {name: scale, profile: scales/laumas-tlu.yaml, transport: main, unit: 1, model: scale,
             parameters: {load: 1234, noise_divisions: 0}}
        """

    @Test("prints each request and answer in hex with the unit, function, range and decision")
    func trace() async throws {
        try await SimulatorProcess.run(scenario: Self.scenario, arguments: ["--trace"]) { simulator in
            let client = try ModbusClient(
                configuration: ModbusClientConfiguration(transport: .tcp(host: "127.0.0.1", port: simulator.port)))
            #expect(try await client.readHoldingRegisters(unit: 1, address: 7, count: 2) == [0, 1234])
            let busy = await Self.failure { try await client.readHoldingRegisters(unit: 1, address: 90, count: 2) }
            #expect(busy?.cause == .exception(.illegalDataAddress))
            // The trace is written by the server thread as the answer leaves; give it a moment to arrive.
            var lines: [Substring] = []
            for _ in 0..<50 {
                lines = simulator.standardOutput.split(separator: "\n")
                if lines.filter({ $0.hasPrefix("127.0.0.1:") }).count >= 2 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let headers = lines.filter { $0.hasPrefix("127.0.0.1:\(simulator.port) client ") }
            #expect(headers.count == 2)
            #expect(headers.first?.hasSuffix("unit 1 fc 3 reading holding 7+2 [reply]") == true, "\(headers)")
            #expect(headers.last?.contains("illegal data address (exception 2)") == true, "\(headers)")
            let request = lines.first { $0.hasPrefix("  > ") }
            let answer = lines.first { $0.hasPrefix("  < ") }
            // MBAP (transaction, protocol 0, length 6, unit 1) then FC 3, address 7, count 2.
            #expect(request?.hasSuffix("00 00 00 06 01 03 00 07 00 02") == true, "\(request ?? "")")
            // Answer: length 7, unit 1, FC 3, 4 bytes: 0x0000 0x04D2 (1234).
            #expect(answer?.hasSuffix("00 00 00 07 01 03 04 00 00 04 D2") == true, "\(answer ?? "")")
        }
    }

    static func failure<T>(_ body: () async throws -> T) async -> ModbusError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? ModbusError
        }
    }
}
