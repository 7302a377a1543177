import Foundation
import Glibc
import Synchronization
import StockpileTestSupport

/// The built `stockpile` running as a child process, its output collected as it comes.
///
/// Both pipes are read to the end on threads of their own, so the child never blocks on a full
/// pipe and a test can wait for a line while the child runs.
final class ChildProcess: Sendable {
    private let process: Process
    private let text = Mutex((standardOutput: "", standardError: ""))

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `stockpile arguments…` in the repository root.
    init(_ arguments: [String], name: String) throws {
        let process = Process()
        process.executableURL = StockpileRunner.executable
        process.arguments = arguments
        process.currentDirectoryURL = repository
        let standardOutput = Pipe()
        let standardError = Pipe()
        process.standardOutput = standardOutput
        process.standardError = standardError
        process.standardInput = FileHandle.nullDevice
        self.process = process
        try process.run()
        for (pipe, isError) in [(standardOutput, false), (standardError, true)] {
            let descriptor = pipe.fileHandleForReading.fileDescriptor
            // read(2) with EINTR retried: `availableData` traps when a signal interrupts the read.
            let reader = Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    if count <= 0 { return }
                    let chunk = String(decoding: buffer[0..<count], as: UTF8.self)
                    text.withLock { isError ? ($0.standardError += chunk) : ($0.standardOutput += chunk) }
                }
            }
            reader.name = "\(name) output"
            reader.start()
        }
    }

    var standardOutput: String { text.withLock { $0.standardOutput } }
    var standardError: String { text.withLock { $0.standardError } }
    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.processIdentifier }

    /// The lines printed on standard output so far.
    var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }

    /// Waits until `found` picks something from the output; throws if the child exits or `timeout` passes first.
    func waitFor<T>(within timeout: Duration = .seconds(60), _ found: ([String]) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = found(lines) { return value }
            if !process.isRunning || ContinuousClock.now > deadline {
                throw LaunchError(
                    description:
                        "\(process.arguments?.first ?? "child") did not get ready (running: \(process.isRunning)): "
                        + standardError + standardOutput)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Sends SIGTERM and waits up to 60 s for the exit; a process still running then gets SIGKILL.
    func terminate() async -> (reason: Process.TerminationReason, status: Int32) {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
        guard !process.isRunning else {
            kill()
            return (.uncaughtSignal, -1)
        }
        return (process.terminationReason, process.terminationStatus)
    }

    /// SIGKILL, if it still runs, and wait for it to be gone.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
