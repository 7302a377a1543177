import Foundation
import Synchronization
import StockpileTestSupport

/// What an independent peer (mbpoll, a pymodbus script, the stockpile binary) did.
struct PeerOutcome: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
    /// Wall time from start to exit.
    var elapsed: Duration

    var seconds: Double { Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18 }
}

/// Runs programs the simulator did not write: mbpoll and a pymodbus script, found on PATH.
enum IndependentPeers {
    /// Tests/StockpileCLITests/peers, where the pymodbus script lives.
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("peers")

    /// Runs `executable` with `arguments` from the repository root, on a thread of its own; it is
    /// killed after `limit` so a peer that hangs cannot hang the suite.
    static func run(
        _ executable: URL, _ arguments: [String], limit: Duration = .seconds(60)
    ) async throws
        -> PeerOutcome
    {
        try await OffPool.run("peer \(executable.lastPathComponent)") {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = repository
            let output = Pipe()
            let error = Pipe()
            process.standardOutput = output
            process.standardError = error
            process.standardInput = FileHandle.nullDevice
            let start = ContinuousClock.now
            try process.run()
            let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
            DispatchQueue.global().asyncAfter(
                deadline: .now() + .milliseconds(Int(limit.components.seconds) * 1000), execute: watchdog)
            // Standard error on a second thread, so that neither pipe fills while the other is read.
            let errorText = Mutex(Data())
            let errorDone = DispatchSemaphore(value: 0)
            let errorHandle = error.fileHandleForReading
            Thread {
                let data = PipeReading.toEnd(errorHandle)
                errorText.withLock { $0 = data }
                errorDone.signal()
            }.start()
            let outputData = PipeReading.toEnd(output.fileHandleForReading)
            errorDone.wait()
            process.waitUntilExit()
            watchdog.cancel()
            return PeerOutcome(
                status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                standardError: String(decoding: errorText.withLock { $0 }, as: UTF8.self),
                elapsed: ContinuousClock.now - start)
        }
    }

    /// Runs `command` found on PATH (through /usr/bin/env).
    static func run(command: String, _ arguments: [String], limit: Duration = .seconds(60)) async throws -> PeerOutcome
    {
        try await run(URL(fileURLWithPath: "/usr/bin/env"), [command] + arguments, limit: limit)
    }

    // MARK: - mbpoll

    /// Runs mbpoll once (`-1`); every call in these tests polls one time and exits.
    static func mbpoll(_ arguments: [String]) async throws -> PeerOutcome {
        try await run(command: "mbpoll", ["-1"] + arguments)
    }

    /// The values mbpoll printed, by slave address and reference: it prints "-- Polling slave 2..."
    /// and then one "[7]: \t1234" line per value (16-bit values above 32767 add " (-n)").
    static func mbpollValues(_ text: String) -> [Int: [Int: String]] {
        var values: [Int: [Int: String]] = [:]
        var slave: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("-- Polling slave ") {
                slave = Int(line.dropFirst("-- Polling slave ".count).prefix { $0.isNumber })
            } else if let slave, line.hasPrefix("["), let close = line.firstIndex(of: "]"),
                let reference = Int(line[line.index(after: line.startIndex)..<close])
            {
                let value = line[line.index(after: close)...].drop { $0 == ":" || $0 == " " || $0 == "\t" }
                values[slave, default: [:]][reference] = String(value.prefix { $0 != " " })
            }
        }
        return values
    }

    // MARK: - pymodbus

    /// One pymodbus client: a TCP connection or the serial port, and the reads it makes in order.
    struct PymodbusSession: Encodable, Sendable {
        var tcp: String?
        var serial: String?
        var parity: String?
        var timeout: Double
        var requests: [PymodbusRequest]

        static func tcp(_ port: Int, timeout: Double = 1, _ requests: [PymodbusRequest]) -> PymodbusSession {
            PymodbusSession(tcp: "127.0.0.1:\(port)", timeout: timeout, requests: requests)
        }

        /// pyserial cannot open a Linux pty with parity: the pty drops PARENB and glibc's tcsetattr
        /// then reports EINVAL. A pty carries bytes, not bits, so the line's parity does not matter.
        static func serial(_ path: String, timeout: Double = 1, _ requests: [PymodbusRequest]) -> PymodbusSession {
            PymodbusSession(serial: path, parity: "N", timeout: timeout, requests: requests)
        }
    }

    struct PymodbusRequest: Encodable, Sendable {
        var unit: Int
        var table = "holding"
        var address: Int
        var count: Int
        /// `uint32` (high word first) or `float32_cdab`, decoded by pymodbus itself.
        var decode: String?
    }

    /// What the pymodbus script printed: per session, per request, the answer or what went wrong.
    struct PymodbusReport: Decodable, Sendable {
        struct Session: Decodable, Sendable {
            var connected: Bool
            var results: [Result]
        }

        struct Result: Decodable, Sendable {
            var ok: Bool
            var registers: [Int]?
            var value: Double?
            /// The response class pymodbus decoded.
            var response: String?
            var unit: Int?
            /// The exception class raised, or the error response class.
            var error: String?
            var message: String?
            var exceptionCode: Int?
            var elapsed: Double
            /// What pymodbus logged while it waited (CRC failures, answers from another unit).
            var notices: [String]
        }

        var sessions: [Session]
    }

    struct PeerFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs peers/pymodbus_peer.py with `sessions`, one after the other in one python process.
    static func pymodbus(_ sessions: [PymodbusSession]) async throws -> PymodbusReport {
        struct Spec: Encodable { var sessions: [PymodbusSession] }
        let spec = String(decoding: try JSONEncoder().encode(Spec(sessions: sessions)), as: UTF8.self)
        let outcome = try await run(
            command: "python3", [scripts.appendingPathComponent("pymodbus_peer.py").path, spec])
        guard outcome.status == 0 else {
            throw PeerFailure(description: "pymodbus_peer.py exited \(outcome.status): \(outcome.standardError)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(PymodbusReport.self, from: Data(outcome.standardOutput.utf8))
    }
}
