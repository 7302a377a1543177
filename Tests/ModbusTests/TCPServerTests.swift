import Foundation
import Glibc
import Modbus
import Testing

@Suite("Modbus TCP server")
struct TCPServerTests {
    @Test("a unit's holding and input registers, coils and discrete inputs read back from its bank")
    func readsEveryTable() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)])
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        #expect(try await client.readHoldingRegisters(unit: 1, address: 10, count: 3) == [110, 111, 112])
        #expect(try await client.readInputRegisters(unit: 1, address: 0, count: 2) == [1100, 1101])
        #expect(try await client.readCoils(unit: 1, address: 0, count: 4) == [false, true, false, true])
        #expect(try await client.readDiscreteInputs(unit: 1, address: 2, count: 3) == [false, true, false])
        let counters = server.counters(for: 1)
        #expect(counters.requests(.readHoldingRegisters) == 1)
        #expect(counters.requests(.readDiscreteInputs) == 1)
        #expect(counters.totalRequests == 4)
    }

    @Test("single and multiple writes of registers and coils land in the bank and are counted")
    func writesReachTheBank() async throws {
        let bank = RegisterBank(coils: 20, holdingRegisters: 20)
        let server = ModbusServer(units: [3: bank])
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        try await client.writeRegisters(unit: 3, address: 2, values: [0xBEEF])
        try await client.writeRegisters(unit: 3, address: 10, values: [1, 2, 3])
        try await client.writeCoils(unit: 3, address: 1, values: [true])
        let pattern = [true, false, true, true, false, false, true, true, true]
        try await client.writeCoils(unit: 3, address: 8, values: pattern)

        #expect(bank.holdingRegister(at: 2) == 0xBEEF)
        #expect(bank.holdingRegisters(at: 10, count: 3) == [1, 2, 3])
        #expect(bank.coil(at: 1))
        #expect(bank.coils(at: 8, count: 9) == pattern)
        #expect(try await client.readHoldingRegisters(unit: 3, address: 10, count: 3) == [1, 2, 3])
        #expect(server.counters(for: 3).writes == 4)
        #expect(server.counters(for: 3).exceptions == 0)
    }

    @Test("report server id (FC 17) returns the id, the run indicator and the device's bytes")
    func reportsServerID() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank()])
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        let bytes = try await client.reportServerID(unit: 1)
        #expect(bytes.count > 2)
        #expect(bytes[1] == 0xFF, "run indicator on")
        #expect(server.counters(for: 1).requests(.reportServerID) == 1)
    }

    @Test("two unit ids on one port each answer with their own registers")
    func unitsAnswerFromTheirOwnBanks() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100), 2: Fixtures.bank(base: 200)])
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        #expect(try await client.readHoldingRegisters(unit: 1, address: 5, count: 1) == [105])
        #expect(try await client.readHoldingRegisters(unit: 2, address: 5, count: 1) == [205])
        server[unit: 2] = Fixtures.bank(base: 300)
        let changed = try await client.readHoldingRegisters(unit: 2, address: 5, count: 1)
        #expect(changed == [305], "units change while serving")
    }

    @Test("an unknown unit gets exception 11, gateway target failed to respond, as a typed error")
    func unknownUnitGetsGatewayException() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank()])
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 9, address: 0, count: 1) })
        #expect(error.cause == .exception(.gatewayTargetFailedToRespond))
        #expect(error.unit == 9)
        #expect(server.counters(for: 9).exceptions == 1)
    }

    @Test("with the ignore policy an unknown unit times out")
    func unknownUnitIgnored() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank()], unknownUnit: .ignore)
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP(), timeout: .milliseconds(200))

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 9, address: 0, count: 1) })
        #expect(error.cause == .timeout)
        #expect(server.counters(for: 9).unanswered == 1)
    }

    @Test("an address outside the bank is an illegal data address error that keeps the request")
    func illegalDataAddress() async throws {
        let server = ModbusServer(units: [4: Fixtures.bank(size: 100)])
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 4, address: 99, count: 3) })
        #expect(error.cause == .exception(.illegalDataAddress))
        #expect(error.function == .readHoldingRegisters)
        #expect(error.unit == 4)
        #expect(error.address == 99)
        #expect(error.count == 3)
        #expect(error.description.contains("illegal data address (exception 2) reading holding"))
        let last = try await client.readHoldingRegisters(unit: 4, address: 99, count: 1)
        #expect(last == [99], "the connection survives")
    }

    @Test("a behavior's exception for one address reaches the client as exception 6, other addresses still read")
    func behaviorException() async throws {
        let behavior = ClosureServerBehavior { $0.address == 7 ? .exception(.serverDeviceBusy) : .reply }
        let server = ModbusServer(units: [1: Fixtures.bank()], behavior: behavior)
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP())

        let error = try #require(
            await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 7, count: 1) })
        #expect(error.cause == .exception(.serverDeviceBusy))
        #expect(error.cause == .exception(ModbusException(rawValue: 6)))
        #expect(try await client.readHoldingRegisters(unit: 1, address: 8, count: 1) == [8])
        #expect(server.counters(for: 1).exceptions == 1)
    }

    @Test("a client that stalls mid-frame is dropped and does not hold up the others")
    func stalledClientIsDropped() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank()])
        defer { server.stop() }
        let port = try server.startTCP()
        let stalled = try Self.rawConnection(port: port)
        defer { close(stalled) }
        // Half an MBAP header, never completed; then noise on a second connection.
        _ = [UInt8]([0, 1, 0]).withUnsafeBytes { send(stalled, $0.baseAddress, $0.count, 0) }
        let noisy = try Self.rawConnection(port: port)
        defer { close(noisy) }
        _ = [UInt8](repeating: 0xFF, count: 300).withUnsafeBytes { send(noisy, $0.baseAddress, $0.count, 0) }

        let client = try Fixtures.tcpClient(port: port)
        // Answered within the client's timeout, with the stalled and the noisy connection still open.
        let answer = try await client.readHoldingRegisters(unit: 1, address: 1, count: 1)
        #expect(answer == [1])
        let received = await Fixtures.offPool {
            var byte: UInt8 = 0
            return recv(stalled, &byte, 1, 0)
        }
        #expect(received <= 0, "the server closed the stalled connection")
    }

    @Test("connections sending random bytes neither crash nor wedge the server")
    func noiseOnConnections() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank()])
        defer { server.stop() }
        let port = try server.startTCP()
        var noise = SeededNoise(seed: 0xBAD5EED)
        for _ in 0..<20 {
            let connection = try Self.rawConnection(port: port)
            for _ in 0..<3 {
                let bytes = noise.burst(maximum: 300)
                _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            close(connection)
        }

        let client = try Fixtures.tcpClient(port: port)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 3, count: 2) == [3, 4])
    }

    @Test("a server on the IPv6 loopback answers", .enabled(if: Fixtures.hasIPv6Loopback))
    func servesIPv6() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank(base: 600)])
        defer { server.stop() }
        let client = try Fixtures.tcpClient(port: try server.startTCP(host: "::1"), host: "::1")

        #expect(try await client.readHoldingRegisters(unit: 1, address: 2, count: 1) == [602])
    }

    /// A plain blocking TCP connection to the loopback server.
    private static func rawConnection(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return descriptor
    }
}
