import Foundation
import Modbus

/// Issue 2: the Swift wrapper's request rate against the bare libmodbus C loop, same server, same run.
enum ClientBenchmark {
    static let registers = 10

    static func run(cBin: String, seconds: Double, rounds: Int) async throws {
        print("== Modbus client: read \(registers) holding registers in a loop, loopback, bare libmodbus C server ==")
        let server = try ChildProcess("\(cBin)/reference_server", ["0"])
        defer { server.stop() }
        guard let port = Int(try server.waitForLine(prefix: "PORT")) else { throw BenchmarkError("bad PORT line") }

        var cRates: [Double] = []
        var sessionRates: [Double] = []
        var perCallRates: [Double] = []
        for _ in 0..<rounds {
            let client = try ChildProcess(
                "\(cBin)/reference_client", ["127.0.0.1", "\(port)", "\(seconds)", "1", "\(registers)"])
            cRates.append(try rate(fromJSON: client.finish()))
            sessionRates.append(try await swiftSessionRate(port: port, seconds: seconds))
            perCallRates.append(try await swiftPerCallRate(port: port, seconds: seconds))
        }
        let c = median(cRates)
        let session = median(sessionRates)
        let perCall = median(perCallRates)
        print("C client loop (libmodbus, -O2)            \(formatRate(c))")
        print(
            "Swift ModbusClient, requests in a session \(formatRate(session))   ratio \(String(format: "%.3f", session / c)) (goal ≥ 0.95)"
        )
        print(
            "Swift ModbusClient, one await per request \(formatRate(perCall))   ratio \(String(format: "%.3f", perCall / c))"
        )
        print("(medians of \(rounds) alternating rounds of \(seconds) s each)")
    }

    /// The wrapper's full path per request (typed errors, recovery checks, [UInt16] results), on the
    /// connection's own thread: how the poller reads a device.
    static func swiftSessionRate(port: Int, seconds: Double) async throws -> Double {
        let client = try ModbusClient(
            configuration: ModbusClientConfiguration(transport: .tcp(host: "127.0.0.1", port: port)))
        try await client.connect()
        let registers = Self.registers
        return try await client.withSession { client in
            for _ in 0..<200 { _ = try client.readHoldingRegisters(unit: 1, address: 0, count: registers) }
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
            let started = ContinuousClock.now
            var requests = 0
            while ContinuousClock.now < deadline {
                for _ in 0..<100 {
                    let values = try client.readHoldingRegisters(unit: 1, address: 0, count: registers)
                    precondition(values.count == registers)
                }
                requests += 100
            }
            let elapsed = ContinuousClock.now - started
            return Double(requests)
                / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }

    /// Each request awaited from a task on the cooperative pool: two thread hops per request.
    static func swiftPerCallRate(port: Int, seconds: Double) async throws -> Double {
        let client = try ModbusClient(
            configuration: ModbusClientConfiguration(transport: .tcp(host: "127.0.0.1", port: port)))
        try await client.connect()
        for _ in 0..<200 { _ = try await client.readHoldingRegisters(unit: 1, address: 0, count: registers) }
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let started = ContinuousClock.now
        var requests = 0
        while ContinuousClock.now < deadline {
            _ = try await client.readHoldingRegisters(unit: 1, address: 0, count: registers)
            requests += 1
        }
        let elapsed = ContinuousClock.now - started
        return Double(requests) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
