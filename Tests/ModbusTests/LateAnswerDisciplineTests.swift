import Foundation
import Glibc
@testable import Modbus
import ModbusServing
import Synchronization
import Testing

/// A late answer is never taken for a fresh one: on RTU by the line discipline (flush before each
/// request, answers of other units read past, a unit that timed out kept quiet for its guard), on
/// TCP by the transaction id (a stale one read past, not fatal to the next request).
@Suite("late answers on RTU and TCP")
struct LateAnswerDisciplineTests {
    @Test("RTU: the late answer to a timed-out read is never taken for the same read asked again")
    func rtuLateAnswerToTheSameRequest() async throws {
        // The first request is answered 300 ms late; the client gives up at 150 ms.
        let server = ModbusServer(
            units: [1: Fixtures.bank(base: 100)],
            behavior: FaultScript(.delay(.milliseconds(300), then: .reply), times: 1))
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let client = try Fixtures.rtuClient(on: terminal, timeout: .milliseconds(150))
        await client.setLateAnswerGuard(.seconds(2))

        let error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 1, address: 3, count: 2) }
        #expect(error?.cause == .timeout)
        // The device's values change before it is asked again: the late answer carries the old ones.
        server.units[1]?.setHoldingRegisters([903, 904], at: 3)
        #expect(try await client.readHoldingRegisters(unit: 1, address: 3, count: 2) == [903, 904])
        #expect(try await client.readHoldingRegisters(unit: 1, address: 3, count: 2) == [903, 904])
    }

    @Test("RTU: another unit's late answer arriving during a request is read past and counted")
    func rtuNeighbourLateAnswerIsReadPast() async throws {
        // A scripted slave side: it holds unit 2's answer until unit 1's request has come, then
        // sends unit 2's (late) answer and unit 1's, in that order. No timing decides it.
        let slave = try ScriptedLine { line in
            // The client flushes the line before each request, so unit 2's request may never be
            // read here: wait for unit 1's, whatever came before it.
            while true {
                let request = line.read(count: 8)
                if request.isEmpty { return }
                if request.first == 1 { break }
            }
            line.write(RawLine.frame([2, 3, 4, 0, 205, 0, 206]) + RawLine.frame([1, 3, 4, 0, 105, 0, 106]))
        }
        defer { slave.close() }
        let client = try ModbusClient(
            configuration: ModbusClientConfiguration(
                transport: .rtu(SerialLine(device: slave.path, baud: 115_200, parity: .none)),
                responseTimeout: .milliseconds(100)))
        let error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 2, address: 5, count: 2) }
        #expect(error?.cause == .timeout)
        await client.setResponseTimeout(.seconds(20))
        #expect(try await client.readHoldingRegisters(unit: 1, address: 5, count: 2) == [105, 106])
        #expect(await client.discardedAnswers == 1, "unit 2's late answer was read past")
    }

    @Test("TCP: an answer with a stale transaction id is read past; the next request gets its own")
    func tcpStaleTransactionIsReadPast() async throws {
        // A scripted server: it holds the first request's answer until the second request has
        // come, then answers both, the stale one first, each with its own transaction id.
        let server = try ScriptedTCPServer { connection in
            let first = connection.read(count: 12)
            let second = connection.read(count: 12)
            guard first.count == 12, second.count == 12 else { return }
            func answer(to request: [UInt8], _ values: [UInt8]) -> [UInt8] {
                [request[0], request[1], 0, 0, 0, UInt8(3 + values.count), request[6], 3, UInt8(values.count)] + values
            }
            connection.write(answer(to: first, [0, 205, 0, 206]) + answer(to: second, [0, 105, 0, 106]))
        }
        defer { server.close() }
        let client = try Fixtures.tcpClient(port: server.port, timeout: .milliseconds(100))
        let error = await Fixtures.failure { try await client.readHoldingRegisters(unit: 2, address: 5, count: 2) }
        #expect(error?.cause == .timeout)
        await client.setResponseTimeout(.seconds(20))
        #expect(try await client.readHoldingRegisters(unit: 1, address: 5, count: 2) == [105, 106])
        #expect(await client.discardedAnswers == 1, "the stale answer was read past, not fatal")
    }

    @Test("the judge tells a matching answer from another request's by unit, function, byte count and id")
    func judgeMatchesOnlyItsOwnAnswer() {
        let read = ExpectedAnswer(function: .readHoldingRegisters, unit: 3, address: 0, count: 2)
        let data: [UInt8] = [4, 0, 1, 0, 2]
        // RTU frames: unit, function, byte count, data, CRC (checked by libmodbus, not here).
        #expect(read.judge([3, 3] + data + [0, 0], transactionID: nil) == .answer(data))
        #expect(read.judge([4, 3] + data + [0, 0], transactionID: nil) == .other, "another unit")
        #expect(read.judge([3, 4] + data + [0, 0], transactionID: nil) == .other, "another function")
        #expect(read.judge([3, 3, 2, 0, 1, 0, 0], transactionID: nil) == .other, "another byte count")
        #expect(read.judge([3, 0x83, 2, 0, 0], transactionID: nil) == .exception(2))
        // TCP: the transaction id decides; the unit is not checked (gateways rewrite it).
        #expect(read.judge([0, 9, 0, 0, 0, 7, 8, 3] + data, transactionID: 9) == .answer(data))
        #expect(read.judge([0, 8, 0, 0, 0, 7, 3, 3] + data, transactionID: 9) == .other, "stale id")
        #expect(read.judge([0, 9, 0, 1, 0, 7, 3, 3] + data, transactionID: 9) == .other, "not Modbus")
        let write = ExpectedAnswer(function: .writeSingleRegister, unit: 3, address: 7, count: 1, singleValue: 5)
        #expect(write.judge([3, 6, 0, 7, 0, 5, 0, 0], transactionID: nil) == .answer([0, 7, 0, 5]))
        #expect(write.judge([3, 6, 0, 8, 0, 5, 0, 0], transactionID: nil) == .other, "another address")
    }

    @Test("a second master on a serial line is refused at once, naming the line; it may open once the first closes")
    func serialLineTakesOneMaster() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank(base: 100)])
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        let first = try Fixtures.rtuClient(on: terminal)
        let second = try Fixtures.rtuClient(on: terminal)
        #expect(try await first.readHoldingRegisters(unit: 1, address: 1, count: 1) == [101])

        let refused = await Fixtures.failure { try await second.connect() }
        #expect(refused?.cause == .lineInUse)
        #expect(refused?.message.contains(terminal.slavePath) == true, "\(refused?.message ?? "")")
        #expect(refused?.message.contains("in use by another master") == true)

        await first.close()
        let third = try Fixtures.rtuClient(on: terminal)
        #expect(try await third.readHoldingRegisters(unit: 1, address: 1, count: 1) == [101])
    }

    @Test("a serial line that cannot be opened says what the path is, with errno and its meaning")
    func serialOpenErrorsNameThePath() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-serial-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plainFile = directory.appendingPathComponent("plain").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: plainFile))
        let cases: [(path: String, says: String)] = [
            (directory.appendingPathComponent("missing").path, "No such file or directory (errno 2)"),
            (plainFile, "not a character device"),
            (directory.path, "a directory"),
            ("/dev/null", "is not a serial device"),
        ]
        for (path, says) in cases {
            let client = try ModbusClient(
                configuration: ModbusClientConfiguration(transport: .rtu(SerialLine(device: path))))
            let error = await Fixtures.failure { try await client.connect() }
            #expect(error?.cause == .cannotOpen, "\(path)")
            #expect(error?.message.contains(path) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(says) == true, "\(path): \(error?.message ?? "")")
        }
    }

    @Test("an interrupted client sends nothing more: the request on the wire ends, the rest are not sent")
    func interruptStopsSending() async throws {
        let server = ModbusServer(units: [1: Fixtures.bank()], behavior: ClosureServerBehavior { _ in .ignore })
        defer { server.stop() }
        let terminal = try PseudoTerminal()
        try server.startRTU(on: terminal)
        // A timeout far longer than a loaded machine's pause between seeing the request and interrupting: with
        // 400 ms, a pause past it let a second and third request go out first (seen in a full `make test`).
        let client = try Fixtures.rtuClient(on: terminal, timeout: .seconds(3))
        try await client.connect()
        let causes = Task {
            await client.withSession { client in
                var causes: [ModbusError.Cause] = []
                for address in 0..<10 {
                    client.waiveQuiet(unit: 1)
                    do throws(ModbusError) {
                        _ = try client.readHoldingRegisters(unit: 1, address: address, count: 1)
                    } catch {
                        causes.append(error.cause)
                    }
                }
                return causes
            }
        }
        _ = try await Fixtures.eventually { server.counters(for: 1).totalRequests >= 1 }
        client.interrupt()
        let result = await causes.value
        #expect(result.count == 10)
        let sent = result.filter { $0 == .timeout }.count
        #expect(sent >= 1 && sent <= 2, "the request on the wire (and at most one racing the interrupt) ended")
        #expect(result.suffix(8).allSatisfy { $0 == .interrupted }, "\(result)")
        #expect(server.counters(for: 1).totalRequests == sent, "nothing was sent after the interrupt")
    }
}

/// The slave side of a pseudo-terminal, driven by a script on a thread of its own.
final class ScriptedLine: Sendable {
    let path: String
    private let master: Int32
    private let slave: Int32
    private let done = DispatchSemaphore(value: 0)

    /// Blocking reads and writes on the master side, for the script.
    struct Side {
        let descriptor: Int32

        /// Exactly `count` bytes, or what came before 120 s passed.
        func read(count: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            let deadline = ContinuousClock.now + .seconds(120)
            var chunk = [UInt8](repeating: 0, count: count)
            while bytes.count < count, ContinuousClock.now < deadline {
                var polled = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&polled, 1, 50) > 0 else { continue }
                let got = Glibc.read(descriptor, &chunk, count - bytes.count)
                if got > 0 { bytes += chunk[0..<got] }
            }
            return bytes
        }

        func write(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        }
    }

    init(_ script: @escaping @Sendable (Side) -> Void) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var raw = termios()
        cfmakeraw(&raw)
        guard openpty(&master, &slave, nil, &raw, nil) == 0 else { throw POSIXError(.EIO) }
        var name = [CChar](repeating: 0, count: 256)
        _ = ttyname_r(slave, &name, name.count)
        path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.master = master
        self.slave = slave
        let side = Side(descriptor: master)
        let done = self.done
        Thread {
            script(side)
            done.signal()
        }.start()
    }

    func close() {
        _ = done.wait(timeout: .now() + 35)
        Glibc.close(slave)
        Glibc.close(master)
    }
}

/// A one-connection TCP server on loopback, driven by a script on a thread of its own.
final class ScriptedTCPServer: Sendable {
    let port: Int
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)

    init(_ script: @escaping @Sendable (ScriptedLine.Side) -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        let done = self.done
        Thread {
            let connection = accept(listener, nil, nil)
            if connection >= 0 {
                script(ScriptedLine.Side(descriptor: connection))
                // Hold the connection until the client has read what was sent.
                usleep(300_000)
                Glibc.close(connection)
            }
            done.signal()
        }.start()
    }

    func close() {
        _ = done.wait(timeout: .now() + 35)
        Glibc.close(listener)
    }
}
