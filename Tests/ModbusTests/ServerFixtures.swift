import Foundation
import Glibc
import Modbus
import ModbusServing
import Synchronization
import Testing

/// Helpers the server and client tests share: a bank with recognisable values, clients configured
/// for fast tests, and a way to catch a typed `ModbusError`.
enum Fixtures {
    /// A bank whose holding register n holds `base + n`, input register n holds `base + 1000 + n`,
    /// coil n is on when n is odd, and discrete input n is on when n is a multiple of 3.
    static func bank(base: UInt16 = 0, size: Int = 100) -> RegisterBank {
        let bank = RegisterBank(coils: size, discreteInputs: size, holdingRegisters: size, inputRegisters: size)
        bank.setHoldingRegisters((0..<size).map { base + UInt16($0) }, at: 0)
        bank.setInputRegisters((0..<size).map { base + 1000 + UInt16($0) }, at: 0)
        bank.setCoils((0..<size).map { $0 % 2 == 1 }, at: 0)
        bank.setDiscreteInputs((0..<size).map { $0 % 3 == 0 }, at: 0)
        return bank
    }

    /// A TCP client for a loopback server, with a short timeout and back-off so tests stay fast.
    static func tcpClient(
        port: Int, host: String = "127.0.0.1", timeout: Duration = .milliseconds(300)
    ) throws -> ModbusClient {
        try ModbusClient(
            configuration: ModbusClientConfiguration(
                transport: .tcp(host: host, port: port), responseTimeout: timeout, byteTimeout: .milliseconds(100),
                reconnectBackoff: .milliseconds(50), maximumReconnectBackoff: .milliseconds(100)))
    }

    /// An RTU client on a pseudo-terminal's slave side.
    static func rtuClient(on terminal: PseudoTerminal, timeout: Duration = .milliseconds(300)) throws -> ModbusClient {
        try ModbusClient(
            configuration: ModbusClientConfiguration(
                transport: .rtu(SerialLine(device: terminal.slavePath, baud: 115_200, parity: .none)),
                responseTimeout: timeout, byteTimeout: .milliseconds(100)))
    }

    /// The `ModbusError` `body` throws, or nil when it succeeds (any other error is a test issue).
    static func failure<T>(
        _ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> ModbusError? {
        do {
            _ = try await body()
            return nil
        } catch let error as ModbusError {
            return error
        } catch {
            Issue.record(error, "not a ModbusError", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// How long `body` takes.
    static func time(_ body: () async throws -> Void) async rethrows -> Duration {
        let start = ContinuousClock.now
        try await body()
        return ContinuousClock.now - start
    }

    /// A loopback port nobody listens on: one a server bound and released.
    static func closedPort() throws -> Int {
        let server = ModbusServer()
        let port = try server.startTCP()
        server.stop()
        return port
    }

    /// True when the IPv6 loopback address can be bound here.
    static let hasIPv6Loopback: Bool = {
        let server = ModbusServer()
        defer { server.stop() }
        return (try? server.startTCP(host: "::1")) != nil
    }()
}

/// A seeded generator (xorshift64*), so that noise tests send the same bytes on every run.
struct SeededNoise: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A burst of 1–`maximum` random bytes.
    mutating func burst(maximum: Int) -> [UInt8] {
        (0..<Int.random(in: 1...maximum, using: &self)).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

extension Fixtures {
    /// A blocking call timed on the thread that made it.
    struct TimedWait: Sendable {
        var start: ContinuousClock.Instant
        var end: ContinuousClock.Instant
        var cause: ModbusError.Cause?
    }

    /// Runs a blocking `body` on a new thread and waits for it without holding a pool thread.
    ///
    /// Swift Testing runs tests in parallel on the cooperative pool (two threads on this machine):
    /// a test that blocks in poll(2) or recv(2) there delays every other test's tasks, and the
    /// timing tests then measure the pool, not the code under test.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }
}

/// A raw descriptor on a pseudo-terminal's slave side, to put arbitrary bytes on the line.
final class RawLine {
    private let descriptor: Int32

    init(_ terminal: PseudoTerminal) throws {
        descriptor = open(terminal.slavePath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    deinit {
        close(descriptor)
    }

    /// Writes `bytes` to the line in one write.
    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Everything the server sends within `window`, waited for on a thread of its own: a blocking
    /// wait on the cooperative pool would stall the other tests running in parallel.
    func receive(within window: Duration) async -> [UInt8] {
        let descriptor = self.descriptor
        return await Fixtures.offPool { RawLine.read(descriptor, within: window) }
    }

    private static func read(_ descriptor: Int32, within window: Duration) -> [UInt8] {
        var bytes: [UInt8] = []
        let deadline = ContinuousClock.now + window
        var chunk = [UInt8](repeating: 0, count: 256)
        while ContinuousClock.now < deadline {
            var polled = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let remaining = deadline - ContinuousClock.now
            let (seconds, attoseconds) = remaining.components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            guard poll(&polled, 1, Int32(clamping: max(milliseconds, 1))) > 0 else { continue }
            let count = Glibc.read(descriptor, &chunk, chunk.count)
            if count > 0 { bytes += chunk[0..<count] }
        }
        return bytes
    }

    /// `body` followed by its CRC-16/MODBUS, low byte first.
    static func frame(_ body: [UInt8]) -> [UInt8] {
        var crc: UInt16 = 0xFFFF
        for byte in body {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return body + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }
}

extension Fixtures {
    /// Waits until `condition` holds, checking every 5 ms for at most `timeout`; returns whether it did. The
    /// default is long because it only bounds a wait that ends as soon as the condition holds: a suite on
    /// two loaded cores can take seconds to deliver a request.
    static func eventually(
        within timeout: Duration = .seconds(10), _ condition: () -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// A behavior that meets the first `times` requests `matching` with `fault` and answers the rest
/// normally, and remembers every decision the server reports carried out.
final class FaultScript: ModbusServerBehavior {
    private let fault: ModbusServerDecision
    private let matching: @Sendable (ModbusRequest) -> Bool
    private let remaining: Mutex<Int>
    private let reported = Mutex<[ModbusServerDecision]>([])

    init(
        _ fault: ModbusServerDecision, times: Int = .max,
        matching: @escaping @Sendable (ModbusRequest) -> Bool = { _ in true }
    ) {
        self.fault = fault
        self.matching = matching
        remaining = Mutex(times)
    }

    func decide(_ request: ModbusRequest) -> ModbusServerDecision {
        guard matching(request) else { return .reply }
        return remaining.withLock { (remaining) -> ModbusServerDecision in
            guard remaining > 0 else { return .reply }
            remaining -= 1
            return fault
        }
    }

    func didServe(_ request: ModbusRequest, decision: ModbusServerDecision) {
        reported.withLock { $0.append(decision) }
    }

    /// The decisions `didServe` received, in order.
    var served: [ModbusServerDecision] { reported.withLock { $0 } }

    /// The decisions once there are at least `count` (`didServe` runs just after the answer went
    /// out), or after one second, whatever there is then.
    func served(atLeast count: Int) async throws -> [ModbusServerDecision] {
        _ = try await Fixtures.eventually { served.count >= count }
        return served
    }
}

/// Collects what a server's trace hook reports.
final class TraceRecorder: Sendable {
    private let recorded = Mutex<[ModbusTraceEvent]>([])

    /// The hook to set as `ModbusServer.trace`.
    var hook: @Sendable (ModbusTraceEvent) -> Void {
        { [self] event in recorded.withLock { $0.append(event) } }
    }

    /// The events so far, in order.
    var events: [ModbusTraceEvent] { recorded.withLock { $0 } }

    /// The events once there are at least `count` (the hook runs on the server's thread just
    /// after the bytes went out, so a client may have its answer a moment before), or after one
    /// second, whatever there is then.
    func events(atLeast count: Int) async throws -> [ModbusTraceEvent] {
        _ = try await Fixtures.eventually { events.count >= count }
        return events
    }
}
