import Foundation
import Modbus
import ModbusServing
import Testing

@Suite("ModbusClient timeouts and recovery")
struct ClientRecoveryTests {
    @Test("a unit that never answers times out after about the response timeout")
    func ignoredUnitTimesOut() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank()], behavior: ClosureServerBehavior { _ in .ignore })
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP(), timeout: .milliseconds(300))
        try await client.connect()

        var error: ModbusError?
        let elapsed = await Fixtures.time {
            error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        }
        #expect(error?.cause == .timeout)
        #expect(error?.unit == 1)
        #expect(elapsed >= .milliseconds(280))
    }

    @Test("eight clients timing out at once wait in parallel on their own threads, not in turn")
    func timeoutsRunInParallel() async throws {
        let server = ModbusServer(units: [:], unknownUnit: .ignore)
        defer { server.stop() }
        let port = try server.startTCP()
        let clients = try (0..<8).map { _ in try Fixtures.tcpClient(port: port, timeout: .seconds(1)) }

        // Each wait is timed on the client's own thread (inside its session), so the test measures
        // where the blocking happens, not how busy the test runner's cooperative pool is.
        let waits = await withTaskGroup(of: Fixtures.TimedWait.self) { group in
            for client in clients {
                group.addTask {
                    await client.withSession { client in
                        let start = ContinuousClock.now
                        var cause: ModbusError.Cause?
                        do throws(ModbusError) {
                            _ = try client.readHoldingRegisters(unit: 7, address: 0, count: 1)
                        } catch {
                            cause = error.cause
                        }
                        return Fixtures.TimedWait(start: start, end: ContinuousClock.now, cause: cause)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }

        #expect(waits.count == 8)
        #expect(waits.allSatisfy { (wait: Fixtures.TimedWait) in wait.cause == ModbusError.Cause.timeout })
        #expect(waits.allSatisfy { (wait: Fixtures.TimedWait) in wait.end - wait.start >= .milliseconds(900) })
        // Eight one-second waits that overlap: on two shared threads they could not all be under way at once.
        let latestStart = waits.map { (wait: Fixtures.TimedWait) in wait.start }.max()!
        let earliestEnd = waits.map { (wait: Fixtures.TimedWait) in wait.end }.min()!
        #expect(latestStart < earliestEnd, "all eight waits were under way together")
    }

    @Test("after a timeout the next request on the same connection gets its own answer")
    func answerAfterTimeoutIsFresh() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100), 2: Fixtures.bank(base: 200)])
        server.behavior = ClosureServerBehavior { $0.unit == 2 ? .ignore : .reply }
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP(), timeout: .milliseconds(200))

        let error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 2, address: 3, count: 2) }
        #expect(error?.cause == .timeout)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 3, count: 2) == [103, 104])
        #expect(try await client.readHoldingRegisters(unit: 1, address: 5, count: 2) == [105, 106])
    }

    @Test("an answer that arrives after the timeout is not taken for the next request's")
    func lateAnswerIsDiscarded() async throws {
        // Address 5 answers 400 ms late, as a slow device does; the client gives up at 200 ms.
        let slow = ClosureServerBehavior { request in
            if request.address == 5 { usleep(400_000) }
            return .reply
        }
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)], behavior: slow)
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP(), timeout: .milliseconds(200))

        let error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 5, count: 1) }
        #expect(error?.cause == .timeout)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await client.readHoldingRegisters(unit: 1, address: 6, count: 1) == [106])
    }

    @Test("a client reconnects once the server restarts on the same port")
    func reconnectsAfterRestart() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)])
        defer { server.stop() }
        let port = try server.startTCP()
        let client = try Fixtures.tcpClient(port: port)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 0, count: 1) == [100])

        server.stop()
        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 0, count: 1) })
        #expect(error.breaksConnection, "cause \(error.cause)")
        #expect([.connectionReset, .connectionRefused, .connectionClosed].contains(error.cause))

        #expect(try server.startTCP(port: port) == port)
        server[unit: 1]?.setHoldingRegister(4242, at: 0)
        var answer: [UInt16]?
        for _ in 0..<20 where answer == nil {
            answer = try? await client.readHoldingRegisters(unit: 1, address: 0, count: 1)
            if answer == nil { try await Task.sleep(for: .milliseconds(30)) }
        }
        #expect(answer == [4242])
    }

    @Test("connecting to a port nobody listens on fails with connection refused")
    func connectionRefused() async throws {
        let client = try Fixtures.tcpClient(port: try Fixtures.closedPort())

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 0, count: 1) })
        #expect(error.cause == .connectionRefused)
        #expect(error.function == .readHoldingRegisters)
    }
}

@Suite("connection failures say what they are")
struct ConnectionFailureWordingTests {
    @Test("a refused connection stays 'refused' while the client backs off, not 'connection closed'")
    func refusedStaysRefused() async throws {
        let port = try Fixtures.closedPort()
        let client = try ModbusClient(
            configuration: ModbusClientConfiguration(
                transport: .tcp(host: "127.0.0.1", port: port), responseTimeout: .milliseconds(200),
                reconnectBackoff: .seconds(30), maximumReconnectBackoff: .seconds(30)))
        let first = await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        #expect(first?.cause == .connectionRefused, "\(String(describing: first))")
        // Within the back-off: no attempt is made, and the reason is still the refusal.
        let second = await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        #expect(second?.cause == .connectionRefused, "\(String(describing: second))")
        #expect(second?.message.contains("next attempt in") == true)
        #expect(second?.description.contains("connection refused") == true, "\(second?.description ?? "")")
    }
}
