import Foundation
import Glibc
import Modbus
import ModbusServing
import Testing

@Suite("Modbus TCP server fault injection")
struct ServerFaultTests {
    @Test("a unit answering 5 s late holds up neither another client nor another unit")
    func delayDoesNotStallOthers() async throws {
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100), 2: Fixtures.bank(base: 200)],
            behavior: FaultScript(.delay(.seconds(5), then: .reply)) { $0.unit == 1 })
        defer { server.stop() }
        let port = try server.startTCP()
        // A delay far longer than 20 loopback round trips take even on a loaded machine: the fast reads
        // finishing inside it shows they were not held up, without racing a tight window.
        let slowClient = try Fixtures.tcpClient(port: port, timeout: .seconds(10))
        let fastClient = try Fixtures.tcpClient(port: port)
        try await slowClient.connect()
        try await fastClient.connect()

        // Both clients time their requests on their own threads: the server's latency, not the
        // test runner's load.
        async let slow = slowClient.withSession { client in
            let start = ContinuousClock.now
            let values = try client.readHoldingRegisters(unit: 1, address: 3, count: 2)
            return (values, start, ContinuousClock.now)
        }
        #expect(try await Fixtures.eventually { server.counters(for: 1).delayed == 1 }, "unit 1's request is pending")
        let fast = try await fastClient.withSession { client in
            let start = ContinuousClock.now
            let values = try (0..<20).map { try client.readHoldingRegisters(unit: 2, address: $0, count: 1) }
            return (values, start, ContinuousClock.now)
        }
        let (slowValues, slowStart, slowEnd) = try await slow

        #expect(fast.0 == (0..<20).map { [200 + UInt16($0)] })
        #expect(fast.1 > slowStart && fast.2 < slowEnd, "unit 2's reads ran while unit 1's answer was pending")
        #expect(slowValues == [103, 104])
        #expect(slowEnd - slowStart >= .milliseconds(4900), "unit 1 answered after \(slowEnd - slowStart)")
        #expect(server.counters(for: 1).delayed == 1)
        #expect(server.counters(for: 2).delayed == 0)
    }

    @Test("a delay past the client's timeout is a timeout, and the next request gets its own answer, not the late one")
    func lateAnswerAfterTimeoutIsNotTaken() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100)],
            behavior: FaultScript(.delay(.milliseconds(500), then: .reply), times: 1) { $0.address == 5 })
        server.trace = recorder.hook
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP(), timeout: .milliseconds(200))
        try await client.connect()

        let start = ContinuousClock.now
        let error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 5, count: 1) }
        #expect(error?.cause == .timeout)
        // Let the late answer (105) reach the client's socket before the next request.
        let late = try #require(try await recorder.events(atLeast: 1).first)
        #expect(late.time - start >= .milliseconds(480), "sent after \(late.time - start)")
        #expect(late.answer?.suffix(2) == [0, 105], "the late answer really went out")

        #expect(try await client.readHoldingRegisters(unit: 1, address: 6, count: 1) == [106])
        #expect(try await client.readHoldingRegisters(unit: 1, address: 5, count: 1) == [105], "only once")
    }

    @Test("a delayed exception arrives late, as the exception")
    func delayedException() async throws {
        let behavior = FaultScript(.delay(.milliseconds(300), then: .exception(.serverDeviceBusy)))
        let server = ModbusServer(units: [1: Fixtures.bank()], behavior: behavior)
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP(), timeout: .seconds(1))
        try await client.connect()

        var error: ModbusError?
        let elapsed = await Fixtures.time {
            error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        }
        #expect(error?.cause == .exception(.serverDeviceBusy))
        #expect(elapsed >= .milliseconds(280))
        #expect(server.counters(for: 1).delayed == 1)
        #expect(server.counters(for: 1).exceptions == 1)
        let served = try await behavior.served(atLeast: 1)
        #expect(served == [.delay(.milliseconds(300), then: .exception(.serverDeviceBusy))])
    }

    @Test("on one connection, answers keep the order of their requests behind a delayed one")
    func delayKeepsConnectionOrder() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100)],
            behavior: FaultScript(.delay(.milliseconds(300), then: .reply)) { $0.address == 1 })
        server.trace = recorder.hook
        defer { server.stop() }
        let connection = try RawConnection(port: try server.startTCP())

        // Two requests in one segment: transaction 1 (delayed), then transaction 2 (not).
        let start = ContinuousClock.now
        connection.send(
            RawConnection.readHolding(transaction: 1, unit: 1, address: 1)
                + RawConnection.readHolding(transaction: 2, unit: 1, address: 2))
        let bytes = await connection.receive(count: 22, within: .seconds(1))
        let elapsed = ContinuousClock.now - start

        #expect(bytes.count == 22)
        #expect(Array(bytes.prefix(2)) == [0, 1], "transaction 1 first")
        #expect(Array(bytes[9..<11]) == [0, 101])
        #expect(Array(bytes[11..<13]) == [0, 2], "then transaction 2")
        #expect(Array(bytes.suffix(2)) == [0, 102])
        #expect(elapsed >= .milliseconds(280), "transaction 2 waited behind the delayed one: \(elapsed)")
        #expect(try await recorder.events(atLeast: 2).map { $0.request[1] } == [1, 2])
    }

    @Test("corruptCRC on TCP swaps the function code: invalid data for an answer, invalid exception for an exception")
    func corruptedAnswer() async throws {
        let recorder = TraceRecorder()
        let behavior = FaultScript(.corruptCRC) { $0.address == 7 || $0.address == 99 }
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)], behavior: behavior)
        server.trace = recorder.hook
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 7, count: 2) })
        // Read past as an answer to another request (function 4), until the timeout.
        #expect(error.cause == .mismatchedResponse)
        #expect(error.message.hasPrefix("only answers to other requests"))
        #expect(await client.discardedAnswers == 1)
        let answer = try #require(try await recorder.events(atLeast: 1).last?.answer)
        #expect(answer.count == 13)
        #expect(answer[7] == 4, "function code 3 went out as 4")
        #expect(Array(answer[8...]) == [4, 0, 107, 0, 108], "byte count and data untouched")
        #expect(try await client.readHoldingRegisters(unit: 1, address: 8, count: 1) == [108])

        // Address 99 + 3 is outside the bank: the exception answer is corrupted (0x83 → 0x84).
        let exception = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 99, count: 3) })
        #expect(exception.cause == .invalidResponse)
        #expect(try await recorder.events(atLeast: 3).last?.answer?[7] == 0x84)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 9, count: 1) == [109])
        let counters = server.counters(for: 1)
        #expect(counters.corrupted == 2)
        #expect(counters.exceptions == 1)
        #expect(try await behavior.served(atLeast: 4) == [.corruptCRC, .reply, .corruptCRC, .reply])
    }

    @Test("a truncated TCP answer is a timeout, and the next read works")
    func truncatedAnswer() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100)], behavior: FaultScript(.truncate, times: 1))
        server.trace = recorder.hook
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 2, count: 2) })
        #expect(error.cause == .timeout)
        #expect(try await recorder.events(atLeast: 1).first?.answer?.count == 6, "13 bytes cut to 6")
        #expect(try await client.readHoldingRegisters(unit: 1, address: 2, count: 2) == [102, 103])
        #expect(server.counters(for: 1).truncated == 1)
    }

    @Test("a dropped connection is reconnected and the read retried; an unretried write sees the reset")
    func droppedConnection() async throws {
        let bank = Fixtures.bank(base: 100)
        let server = ModbusServer(units: [1: bank], behavior: FaultScript(.dropConnection, times: 1))
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        // The first read's connection is closed; the client reconnects and reads again.
        #expect(try await client.readHoldingRegisters(unit: 1, address: 4, count: 1) == [104])
        #expect(server.counters(for: 1).droppedConnections == 1)
        #expect(server.counters(for: 1).totalRequests == 2)

        let behavior = FaultScript(.dropConnection) { $0.isWrite }
        server.behavior = behavior
        let error = try #require(
            await Fixtures.failure { try await client.writeRegisters(unit: 1, address: 4, values: [9]) })
        #expect(error.cause == .connectionReset)
        #expect(bank.holdingRegister(at: 4) == 104, "a dropped write is not applied")
        #expect(try await client.readHoldingRegisters(unit: 1, address: 4, count: 1) == [104])
        let counters = server.counters(for: 1)
        #expect(counters.droppedConnections == 2)
        #expect(counters.unanswered == 2)
        #expect(counters.writes == 0)
        #expect(try await behavior.served(atLeast: 2) == [.dropConnection, .reply])
    }

    @Test("a TCP answer under the wrong unit id carries the next unit in its MBAP header")
    func wrongUnit() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100), 247: Fixtures.bank(base: 200)],
            behavior: FaultScript(.wrongUnit, times: 2))
        server.trace = recorder.hook
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        // libmodbus 3.1.6 checks a TCP answer's transaction and protocol ids, not its unit id.
        #expect(try await client.readHoldingRegisters(unit: 1, address: 3, count: 1) == [103])
        #expect(try await client.readHoldingRegisters(unit: 247, address: 3, count: 1) == [203])
        let units = try await recorder.events(atLeast: 2).compactMap { $0.answer?[6] }
        #expect(units == [2, 1], "1 answers as 2, 247 wraps to 1")
        #expect(server.counters(for: 1).misaddressed == 1)
        #expect(server.counters(for: 247).misaddressed == 1)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 4, count: 1) == [104])
        #expect(try await recorder.events(atLeast: 3).last?.answer?[6] == 1)
    }

    @Test("the trace hook sees the request and answer bytes of a read, the client and the decision")
    func traceOfARead() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(units: [3: Fixtures.bank(base: 100)])
        server.trace = recorder.hook
        defer { server.stop() }
        let port = try server.startTCP()
        let client = try Fixtures.tcpClient(port: port)

        #expect(try await client.readInputRegisters(unit: 3, address: 10, count: 3) == [1110, 1111, 1112])
        let event = try #require(try await recorder.events(atLeast: 1).first)
        #expect(recorder.events.count == 1)
        #expect(event.endpoint == .tcp(host: "127.0.0.1", port: port))
        #expect(event.endpoint.description == "127.0.0.1:\(port)")
        #expect(event.client == 1)
        #expect(event.unit == 3)
        #expect(event.decision == .reply)
        #expect(event.request.count == 12)
        #expect(Array(event.request[6...]) == [3, 4, 0, 10, 0, 3], "unit, FC 4, address 10, count 3")
        let answer = try #require(event.answer)
        #expect(answer.count == 15)
        #expect(answer[6] == 3)
        #expect(answer[7] == 4, "function code")
        #expect(answer[8] == 6, "byte count")
        #expect(Array(answer[9...]) == [0x04, 0x56, 0x04, 0x57, 0x04, 0x58])

        server.trace = nil
        _ = try await client.readInputRegisters(unit: 3, address: 10, count: 1)
        #expect(recorder.events.count == 1, "no events once the hook is removed")
    }
}

/// A plain blocking TCP connection for sending hand-made frames.
private final class RawConnection {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit {
        close(descriptor)
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Up to `count` bytes, as many as arrive within `window`, waited for on a thread of its own.
    func receive(count: Int, within window: Duration) async -> [UInt8] {
        let descriptor = self.descriptor
        return await Fixtures.offPool {
            var bytes: [UInt8] = []
            let deadline = ContinuousClock.now + window
            var chunk = [UInt8](repeating: 0, count: 256)
            while bytes.count < count, ContinuousClock.now < deadline {
                var polled = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&polled, 1, 10) > 0 else { continue }
                let read = recv(descriptor, &chunk, chunk.count, 0)
                guard read > 0 else { break }
                bytes += chunk[0..<read]
            }
            return bytes
        }
    }

    /// A read-holding-registers request for one register.
    static func readHolding(transaction: UInt16, unit: UInt8, address: UInt16) -> [UInt8] {
        let header: [UInt8] = [UInt8(transaction >> 8), UInt8(transaction & 0xFF), 0, 0, 0, 6, unit]
        return header + [3, UInt8(address >> 8), UInt8(address & 0xFF), 0, 1]
    }
}
