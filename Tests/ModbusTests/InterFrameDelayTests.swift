import Foundation
import Modbus
import ModbusServing
import Testing

@Suite("RTU inter-frame delay")
struct InterFrameDelayTests {
    @Test("a configured inter-frame delay keeps at least that much silence between transactions")
    func keepsSilence() async throws {
        let terminal = try PseudoTerminal()
        let server = ModbusServer(units: [1: Fixtures.bank()])
        try server.startRTU(on: terminal)
        defer {
            server.stop()
            terminal.close()
        }
        func client(delay: Duration) throws -> ModbusClient {
            try ModbusClient(
                configuration: ModbusClientConfiguration(
                    transport: .rtu(
                        SerialLine(device: terminal.slavePath, baud: 115_200, parity: .none, interFrameDelay: delay)),
                    responseTimeout: .milliseconds(300)))
        }
        // Timed on the connection's own thread: the delay is a sleep there, never on the pool.
        func fiveReads(_ client: ModbusClient) async throws -> Duration {
            try await client.withSession { client in
                _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 1)
                let start = ContinuousClock.now
                for _ in 0..<5 { _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 1) }
                return ContinuousClock.now - start
            }
        }
        let paced = try await fiveReads(try client(delay: .milliseconds(60)))
        let unpaced = try await fiveReads(try client(delay: .zero))
        #expect(paced >= .milliseconds(300), "five transactions each waited 60 ms of silence: \(paced)")
        #expect(unpaced < paced)
    }
}
