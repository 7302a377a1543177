import Foundation
public import Logging
public import StockpileAlerts
import Subprocess
import Synchronization
import SystemPackage

/// Runs a `command` receiver's program with the webhook body on standard input.
///
/// The program is started directly, `path args…`, never through a shell, with the agent's
/// environment and no other open file: swift-subprocess closes every descriptor above 2 in the
/// child (`posix_spawn_file_actions_addclosefrom_np` on glibc) and opens its own pipes close-on-exec,
/// so a program never holds the agent's sockets, its database or a device's line.
///
/// The whole run is bounded by the receiver's `timeout`: at `timeout − grace` the program's process
/// group gets SIGTERM, at `timeout` SIGKILL (`grace` is a quarter of the timeout, at most 2 s). It
/// runs in a session of its own, so the signals reach whatever it started too, and a grandchild
/// that keeps a pipe open cannot hold the sender. Exit status 0 is success; another status is a
/// `.commandExit` error, a signal a `.commandKilled` one, each with the start of what it wrote
/// (standard error first; 4 KiB of each stream is kept, the rest read and dropped).
public struct CommandSender: AlertSender {
    /// The receiver's name.
    public let receiver: String
    /// The program's absolute path.
    public let path: String
    /// Its arguments.
    public let arguments: [String]
    /// The longest one run may take.
    public let timeout: Duration
    /// The dashboard URL the body's `externalURL` and `generatorURL`s are made from.
    public let externalURL: String
    private let logger: Logger
    private let metrics: DeliveryMetrics

    /// How much of each output stream is kept for the message.
    static let outputLimit = 4096

    /// A sender for a `command` receiver; nil for any other kind. The first one sets SIGPIPE to
    /// ignored for the process (see `ignoreBrokenPipes`).
    public init?(_ receiver: AlertReceiver, externalURL: String = "", logger: Logger) {
        guard case .command(let path, let arguments, let timeout) = receiver.kind else { return nil }
        _ = Self.ignoreBrokenPipes
        self.receiver = receiver.name
        self.path = path
        self.arguments = arguments
        self.timeout = timeout
        self.externalURL = externalURL
        self.logger = logger
        metrics = DeliveryMetrics(receiver: receiver.name)
    }

    /// A program that exits without reading all of its standard input makes the agent's next write to
    /// the pipe raise SIGPIPE, whose default action ends the agent; ignored, the write fails with
    /// EPIPE instead. The program itself starts with every signal at its default (swift-subprocess
    /// spawns with `POSIX_SPAWN_SETSIGDEF`), so it does not inherit the ignoring.
    private static let ignoreBrokenPipes: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// The time between SIGTERM and SIGKILL for a limit: a quarter of it, at most 2 s.
    public static func grace(for limit: Duration) -> Duration {
        min(limit / 4, .seconds(2))
    }

    /// Runs the program once with the notification's webhook body on standard input.
    public func send(_ notification: AlertNotification) async throws(DeliveryError) {
        let body = AlertmanagerWebhookBody(notification, externalURL: externalURL).json()
        try await metrics.measure { () throws(DeliveryError) in
            try await run(body)
        }
    }

    private func run(_ body: Data) async throws(DeliveryError) {
        let grace = Self.grace(for: timeout)
        var options = PlatformOptions()
        // A session of its own: its process group is its own, so the teardown's signals reach the
        // program and its children and never the agent.
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: grace)]
        let configuration = Configuration(
            executable: .path(FilePath(path)), arguments: Arguments(arguments), environment: .inherit,
            platformOptions: options)
        let output = OutputCapture(limit: Self.outputLimit)
        let errors = OutputCapture(limit: Self.outputLimit)

        // The run races a timer. When the timer wins, the run's task is cancelled and swift-subprocess
        // runs the teardown (SIGTERM, SIGKILL after `grace`) and reaps the program before it returns.
        let (ending, timedOut) = await withTaskGroup(of: Ending?.self) { group in
            group.addTask {
                do {
                    // Standard input through the writer, not `.data`: swift-subprocess 1.0.2 leaves a
                    // `.data` input's pipe open when the run is cancelled, and traps on it.
                    let result = try await Subprocess.run(
                        configuration, input: .inputWriter, output: .sequence, error: .sequence
                    ) { execution in
                        async let standardOutput: Void = output.drain(execution.standardOutput)
                        async let standardError: Void = errors.drain(execution.standardError)
                        // A program may end without reading its input; that is no failure of the run.
                        _ = try? await execution.standardInputWriter.write([UInt8](body))
                        try? await execution.standardInputWriter.finish()
                        _ = await (standardOutput, standardError)
                    }
                    return .terminated(result.terminationStatus)
                } catch let error as SubprocessError {
                    return .failed(error)
                } catch {
                    return nil  // cancelled at the time limit; the teardown has run
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout - grace)
                    return .timeLimit
                } catch {
                    return nil  // the program ended first
                }
            }
            var ending: Ending?
            var timedOut = false
            for await result in group {
                switch result {
                case .timeLimit?: timedOut = true
                case let result?: ending = result
                case nil: break
                }
                group.cancelAll()
            }
            return (ending, timedOut)
        }

        let written = Self.excerpt(errors: errors.text, output: output.text)
        if timedOut {
            var signal = Int(SIGTERM)
            if case .terminated(.signaled(let number)) = ending { signal = Int(number) }
            throw DeliveryError(
                receiver: receiver, kind: .commandKilled, code: signal,
                message: "\(path) was still running at its time limit of \(HTTPDelivery.seconds(timeout)) "
                    + "and was killed (signal \(signal))\(written)")
        }
        switch ending {
        case .terminated(.exited(0)):
            logger.debug("notification delivered", metadata: ["receiver": "\(receiver)", "command": "\(path)"])
        case .terminated(.exited(let status)):
            throw DeliveryError(
                receiver: receiver, kind: .commandExit, code: Int(status),
                message: "\(path) exited with status \(status)\(written)")
        case .terminated(.signaled(let signal)):
            throw DeliveryError(
                receiver: receiver, kind: .commandKilled, code: Int(signal),
                message: "\(path) was ended by signal \(signal)\(written)")
        case .failed(let error):
            let starting: [SubprocessError.Code] = [.executableNotFound, .spawnFailed, .failedToChangeWorkingDirectory]
            let failure = starting.contains(error.code) ? "could not be started" : "could not be run"
            throw DeliveryError(
                receiver: receiver, kind: .commandStart, code: error.underlyingError.map { Int($0.rawValue) },
                message: "\(path) \(failure): \(error)")
        case .timeLimit, nil:
            throw DeliveryError(receiver: receiver, kind: .commandKilled, message: "\(path) was cancelled")
        }
    }

    /// ` (stderr: …; stdout: …)`, or nothing when the program wrote nothing.
    static func excerpt(errors: String, output: String) -> String {
        var parts: [String] = []
        if !errors.isEmpty { parts.append("stderr: \(errors)") }
        if !output.isEmpty { parts.append("stdout: \(output)") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")"
    }

    private enum Ending: Sendable {
        case terminated(TerminationStatus)
        case timeLimit
        /// Not started, or swift-subprocess failed around it (pipes, monitoring).
        case failed(SubprocessError)
    }
}

/// The first bytes of one output stream, kept while the stream is read to its end.
private final class OutputCapture: Sendable {
    private let kept = Mutex<[UInt8]>([])
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Reads the stream to its end (so the program never blocks on a full pipe), keeping `limit` bytes.
    /// A read that fails or is cancelled ends the reading, not the run: swift-subprocess cancels the
    /// reads when the program has exited and a child it left behind still holds the pipe.
    func drain(_ sequence: SubprocessOutputSequence) async {
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { bytes in
                    kept.withLock { kept in
                        if kept.count < limit { kept += bytes.prefix(limit - kept.count) }
                    }
                }
            }
        } catch {
            return
        }
    }

    /// What was kept, as one line, at most 300 characters.
    var text: String {
        let line = HTTPDelivery.oneLine(String(decoding: kept.withLock { $0 }, as: UTF8.self))
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
    }
}
