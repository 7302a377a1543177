import Foundation
import Modbus
import ModbusServing
import Testing

@Suite("Modbus RTU server on a pseudo-terminal")
struct RTUServerTests {
    @Test("three units on one line each answer with their own registers")
    func unitsShareALine() async throws {
        let terminal = try PseudoTerminal()
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100), 2: Fixtures.bank(base: 200), 3: Fixtures.bank(base: 300)])
        defer { server.stop() }
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal)

        #expect(try await client.readHoldingRegisters(unit: 1, address: 4, count: 2) == [104, 105])
        #expect(try await client.readHoldingRegisters(unit: 2, address: 4, count: 2) == [204, 205])
        #expect(try await client.readInputRegisters(unit: 3, address: 4, count: 2) == [1304, 1305])
        #expect(try await client.readCoils(unit: 3, address: 0, count: 3) == [false, true, false])
        #expect(try await client.reportServerID(unit: 2).count > 2)
    }

    @Test("a unit that is not on the line stays silent and the client times out")
    func absentUnitTimesOut() async throws {
        let terminal = try PseudoTerminal()
        let server = ModbusServer(units: [1: Fixtures.bank()])
        defer { server.stop() }
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal, timeout: .milliseconds(200))

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 5, address: 0, count: 1) })
        #expect(error.cause == .timeout)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 1, count: 1) == [1])
    }

    @Test("a frame with a bad CRC or noise gets no answer, and the line keeps working")
    func badFramesAreDropped() async throws {
        let terminal = try PseudoTerminal()
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)])
        defer { server.stop() }
        try server.startRTU(on: terminal)

        do {
            let line = try RawLine(terminal)
            let good = RawLine.frame([1, 3, 0, 2, 0, 1])
            line.send(good)
            #expect(
                await line.receive(within: .milliseconds(150)) == RawLine.frame([1, 3, 2, 0, 102]), "framing works")

            var corrupted = good
            corrupted[corrupted.count - 1] ^= 0x5A
            line.send(corrupted)
            #expect(await line.receive(within: .milliseconds(100)).isEmpty)

            line.send([0x00, 0xFF, 0x10, 0x42, 0x99, 0x01, 0xFE, 0x10, 0x10])
            #expect(await line.receive(within: .milliseconds(100)).isEmpty)
            line.send(RawLine.frame([1, 0x10, 0, 0, 0, 1, 0xFF]))  // byte count 255: longer than any frame
            #expect(await line.receive(within: .milliseconds(100)).isEmpty)
        }
        #expect(server.discardedFrames >= 3)

        let client = try Fixtures.rtuClient(on: terminal)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 7, count: 1) == [107])
    }

    @Test("bursts of random bytes on the line neither crash nor wedge the server")
    func noiseOnTheLine() async throws {
        let terminal = try PseudoTerminal()
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100), 2: Fixtures.bank(base: 200)])
        defer { server.stop() }
        try server.startRTU(on: terminal)

        do {
            let line = try RawLine(terminal)
            var noise = SeededNoise(seed: 0x5EED)
            for _ in 0..<40 {
                line.send(noise.burst(maximum: 300))
                _ = await line.receive(within: .milliseconds(8))
            }
        }
        let client = try Fixtures.rtuClient(on: terminal)
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await client.readHoldingRegisters(unit: 2, address: 9, count: 1) == [209])
        #expect(server.isRunning)
    }

    @Test("writes over RTU land in the unit's bank, and broadcasts in every bank")
    func writesReachTheBank() async throws {
        let terminal = try PseudoTerminal()
        let first = RegisterBank(coils: 16, holdingRegisters: 16)
        let second = RegisterBank(coils: 16, holdingRegisters: 16)
        let server = ModbusServer(units: [1: first, 2: second])
        defer { server.stop() }
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal)

        try await client.writeRegisters(unit: 2, address: 3, values: [7])
        try await client.writeRegisters(unit: 2, address: 8, values: [10, 20, 30])
        try await client.writeCoils(unit: 1, address: 2, values: [true, true, false, true])

        #expect(second.holdingRegister(at: 3) == 7)
        #expect(second.holdingRegisters(at: 8, count: 3) == [10, 20, 30])
        #expect(first.coils(at: 2, count: 4) == [true, true, false, true])
        #expect(first.holdingRegister(at: 3) == 0, "other units are untouched")
        #expect(server.counters(for: 2).writes == 2)

        // Broadcast (unit 0): applied by every unit, answered by none.
        let line = try RawLine(terminal)
        line.send(RawLine.frame([0, 6, 0, 15, 0x12, 0x34]))
        #expect(await line.receive(within: .milliseconds(100)).isEmpty)
        #expect(first.holdingRegister(at: 15) == 0x1234)
        #expect(second.holdingRegister(at: 15) == 0x1234)
    }

    @Test("an answer that arrives after the timeout is not taken for the next request's on the line")
    func lateAnswerIsDiscarded() async throws {
        let terminal = try PseudoTerminal()
        let slow = ClosureServerBehavior { request in
            if request.address == 5 { usleep(400_000) }
            return .reply
        }
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)], behavior: slow)
        defer { server.stop() }
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal, timeout: .milliseconds(200))

        let error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 5, count: 1) }
        #expect(error?.cause == .timeout)
        try await Task.sleep(for: .milliseconds(400))
        // Same unit, function and count: only the data tells the late answer (105) from the right one.
        let answer = try await client.readHoldingRegisters(unit: 1, address: 6, count: 1)
        #expect(answer == [106], "got \(answer), the late answer to the previous request")
    }

    @Test("closing the terminal ends a server loop that has no client left")
    func closingTheTerminalEndsTheLoop() async throws {
        let terminal = try PseudoTerminal()
        let server = ModbusServer(units: [1: Fixtures.bank()])
        try server.startRTU(on: terminal)
        terminal.close()
        #expect(!terminal.isOpen)
        server.stop()
        #expect(!server.isRunning)
    }
}
