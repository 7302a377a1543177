import Foundation
import Modbus
import Testing

@Suite("Modbus RTU server fault injection on a pseudo-terminal")
struct RTUServerFaultTests {
    @Test("corruptCRC over RTU inverts the CRC's last byte: the client reports a bad CRC, then reads on")
    func corruptedCRC() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)], behavior: FaultScript(.corruptCRC, times: 1))
        server.trace = recorder.hook
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal)

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 2, count: 1) })
        #expect(error.cause == .badCRC)
        let honest = RawLine.frame([1, 3, 2, 0, 102])
        var corrupted = honest
        corrupted[6] ^= 0xFF
        #expect(try await recorder.events(atLeast: 1).first?.answer == corrupted)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 2, count: 1) == [102])
        #expect(server.counters(for: 1).corrupted == 1)
    }

    @Test("a truncated RTU answer is a timeout, and the next read works")
    func truncatedAnswer() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)], behavior: FaultScript(.truncate, times: 1))
        server.trace = recorder.hook
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal, timeout: .milliseconds(200))

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 3, count: 1) })
        #expect(error.cause == .timeout)
        #expect(try await recorder.events(atLeast: 1).first?.answer == [1, 3, 2], "7 bytes cut to 3")
        #expect(try await client.readHoldingRegisters(unit: 1, address: 3, count: 1) == [103])
        #expect(server.counters(for: 1).truncated == 1)
    }

    @Test("an RTU answer from the wrong unit has a valid CRC and is reported as not matching the request")
    func wrongUnit() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)], behavior: FaultScript(.wrongUnit, times: 1))
        server.trace = recorder.hook
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal)

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 4, count: 1) })
        // Read past as another unit's answer, until the timeout; it is counted.
        #expect(error.cause == .mismatchedResponse)
        #expect(error.message.hasPrefix("only answers to other requests"))
        #expect(await client.discardedAnswers == 1)
        #expect(
            try await recorder.events(atLeast: 1).first?.answer == RawLine.frame([2, 3, 2, 0, 104]),
            "unit 2, CRC recomputed")
        #expect(try await client.readHoldingRegisters(unit: 1, address: 4, count: 1) == [104])
        #expect(server.counters(for: 1).misaddressed == 1)
    }

    @Test("dropConnection on RTU is silence: the client times out, and the drop is counted")
    func droppedIsSilence() async throws {
        let recorder = TraceRecorder()
        let bank = Fixtures.bank(base: 100)
        let server = ModbusServer(units: [1: bank], behavior: FaultScript(.dropConnection, times: 1))
        server.trace = recorder.hook
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal, timeout: .milliseconds(200))

        let error = try #require(
            await Fixtures.failure { try await client.writeRegisters(unit: 1, address: 5, values: [7]) })
        #expect(error.cause == .timeout)
        #expect(bank.holdingRegister(at: 5) == 105, "a dropped write is not applied")
        let event = try #require(try await recorder.events(atLeast: 1).first)
        #expect(event.answer == nil)
        #expect(event.decision == .dropConnection)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 5, count: 1) == [105])
        let counters = server.counters(for: 1)
        #expect(counters.droppedConnections == 1)
        #expect(counters.unanswered == 1)
    }

    @Test("while unit 1's answer is delayed, unit 2 answers at once, and unit 1's late answer goes out on time")
    func delayedUnitOnASharedLine() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100), 2: Fixtures.bank(base: 200)],
            behavior: FaultScript(.delay(.milliseconds(300), then: .reply)) { $0.unit == 1 })
        server.trace = recorder.hook
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let line = try RawLine(terminal)

        // A master that gives up on unit 1 at once and turns to unit 2.
        let start = ContinuousClock.now
        line.send(RawLine.frame([1, 3, 0, 1, 0, 1]) + RawLine.frame([2, 3, 0, 1, 0, 1]))
        let bytes = await line.receive(within: .milliseconds(600))

        #expect(bytes == RawLine.frame([2, 3, 2, 0, 201]) + RawLine.frame([1, 3, 2, 0, 101]), "unit 2 first")
        let sent = try await recorder.events(atLeast: 2).map { ($0.unit, $0.time - start) }
        #expect(sent.map(\.0) == [2, 1])
        #expect(sent.last.map { $0.1 >= .milliseconds(290) } == true, "unit 1 answered at \(sent)")
    }

    @Test("a read of unit 2 right after unit 1 timed out gets unit 2's values, and no read ever gets the late answer")
    func lateAnswerNeverTaken() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100), 2: Fixtures.bank(base: 200)],
            behavior: FaultScript(.delay(.milliseconds(600), then: .reply), times: 1) { $0.unit == 1 })
        server.trace = recorder.hook
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal, timeout: .milliseconds(200))
        try await client.connect()

        // Timed on the client's own thread.
        let start = ContinuousClock.now
        let (cause, unit2, _) = await client.withSession { client in
            var cause: ModbusError.Cause?
            do throws(ModbusError) {
                _ = try client.readHoldingRegisters(unit: 1, address: 5, count: 1)
            } catch {
                cause = error.cause
            }
            let start = ContinuousClock.now
            let values = try? client.readHoldingRegisters(unit: 2, address: 5, count: 1)
            return (cause, values, ContinuousClock.now - start)
        }
        #expect(cause == .timeout)
        #expect(unit2 == [205])

        // Unit 1's answer (105) reaches the line at 600 ms, long after its request timed out and
        // after a request that succeeded. The next request to unit 1, for another register, must
        // not take it for its own answer.
        let sent = try await recorder.events(atLeast: 2).map { ($0.unit, $0.time - start) }
        #expect(sent.map(\.0) == [2, 1], "unit 2's answer went out first")
        #expect(sent.last.map { $0.1 >= .milliseconds(580) } == true, "sent at \(sent)")
        let sixth = try await client.readHoldingRegisters(unit: 1, address: 6, count: 1)
        #expect(sixth == [106], "got \(sixth) for register 6")
        let seventh = try await client.readHoldingRegisters(unit: 1, address: 7, count: 1)
        #expect(seventh == [107], "got \(seventh) for register 7")
    }

    @Test("the trace hook sees an RTU read's request and answer frames, with the line and the decision")
    func traceOfARead() async throws {
        let recorder = TraceRecorder()
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)])
        server.trace = recorder.hook
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal)

        #expect(try await client.readInputRegisters(unit: 1, address: 0, count: 2) == [1100, 1101])
        let event = try #require(try await recorder.events(atLeast: 1).first)
        #expect(event.endpoint == .rtu(device: terminal.slavePath))
        #expect(event.client == nil)
        #expect(event.unit == 1)
        #expect(event.decision == .reply)
        #expect(event.request == RawLine.frame([1, 4, 0, 0, 0, 2]))
        let answer = try #require(event.answer)
        #expect(answer[1] == 4, "function code")
        #expect(answer[2] == 4, "byte count")
        #expect(answer == RawLine.frame([1, 4, 4, 0x04, 0x4C, 0x04, 0x4D]))
    }
}
