import Foundation
import Subprocess
import Synchronization
import SystemPackage

/// Debian's `chromium`, run headless once per call as a child process: a page's DOM after its scripts ran,
/// or a screenshot of it.
///
/// Each run has a fresh profile in a temporary directory (removed afterwards), no sandbox (the tests run as
/// root in a container), no GPU, no background networking, and `--virtual-time-budget=3000`: the page's
/// timers and fetches run for 3 s of virtual time before the DOM is taken. A run that is not over within
/// `timeLimit` is cancelled; swift-subprocess then sends its process group SIGTERM and, 2 s later, SIGKILL
/// (the browser runs in a session of its own, so its zygote and renderers go with it), and reaps it.
/// The wait runs on swift-subprocess's own monitoring, never blocking the cooperative pool.
public struct HeadlessChromium: Sendable {
    /// Why a run failed: the browser's exit or the time limit, with the end of what it wrote to stderr.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The browser's path, found on `PATH`.
    public let executable: String
    /// The longest one run may take.
    public let timeLimit: Duration

    /// How much of standard error is kept for a failure's message (its end: the cause is last).
    static let errorTail = 4096
    /// The most of standard output a DOM may be.
    static let outputLimit = 32 << 20

    /// Finds `chromium` on `PATH`; a missing browser says how to install it (a test never skips).
    public init(timeLimit: Duration = .seconds(90)) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/chromium" } + ["/usr/bin/chromium"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(
                description: "chromium is not on PATH (\(path)): install it with `apt-get install -y chromium` "
                    + "(`make deps` does)")
        }
        executable = found
        self.timeLimit = timeLimit
    }

    /// The page's DOM, serialised, after its scripts ran (`--dump-dom`).
    public func dumpDOM(url: String) async throws -> String {
        let output = try await run(["--dump-dom", url])
        return String(decoding: output, as: UTF8.self)
    }

    /// A PNG of the page in a `width` × `height` window, written to `path` (`--screenshot`).
    public func screenshot(url: String, to path: String, width: Int, height: Int) async throws {
        try? FileManager.default.removeItem(atPath: path)
        _ = try await run(["--screenshot=\(path)", "--window-size=\(width),\(height)", url])
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "chromium exited without writing \(path)")
        }
    }

    /// Runs the browser with the common flags and `arguments`; its standard output.
    private func run(_ arguments: [String]) async throws -> [UInt8] {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-chromium-\(UUID())")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: profile) }
        let flags = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
            "--virtual-time-budget=3000", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
        ]
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))]
        let configuration = Configuration(
            executable: .path(FilePath(executable)), arguments: Arguments(flags + arguments), environment: .inherit,
            platformOptions: options)
        let output = StreamCapture(limit: Self.outputLimit, keepsEnd: false)
        let errors = StreamCapture(limit: Self.errorTail, keepsEnd: true)
        let limit = timeLimit

        let ending: Ending = await withTaskGroup(of: Ending?.self) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(
                        configuration, input: .none, output: .sequence, error: .sequence
                    ) {
                        execution in
                        async let standardOutput: Void = output.drain(execution.standardOutput)
                        async let standardError: Void = errors.drain(execution.standardError)
                        _ = await (standardOutput, standardError)
                    }
                    return .terminated(result.terminationStatus)
                } catch let error as SubprocessError {
                    return .failed("\(error)")
                } catch {
                    return nil  // cancelled at the time limit; the teardown has run
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: limit)
                    return .timeLimit
                } catch {
                    return nil  // the browser ended first
                }
            }
            var ending = Ending.failed("no result")
            var timedOut = false
            for await result in group {
                switch result {
                case .timeLimit?: timedOut = true
                case let result?: ending = result
                case nil: break
                }
                group.cancelAll()
            }
            return timedOut ? .timeLimit : ending
        }

        let call = "chromium " + arguments.joined(separator: " ")
        switch ending {
        case .terminated(.exited(0)):
            return output.bytes
        case .terminated(let status):
            throw Failure(description: "\(call) ended with \(status); stderr: \(errors.text)")
        case .timeLimit:
            throw Failure(
                description: "\(call) was still running after \(limit) and was killed; stderr: \(errors.text)")
        case .failed(let reason):
            throw Failure(description: "\(call) could not be run: \(reason)")
        }
    }

    private enum Ending: Sendable {
        case terminated(TerminationStatus)
        case timeLimit
        case failed(String)
    }
}

/// One output stream, read to its end (so the browser never blocks on a full pipe), `limit` bytes kept:
/// the first ones, or with `keepsEnd` the last ones.
private final class StreamCapture: Sendable {
    private let kept = Mutex<[UInt8]>([])
    private let limit: Int
    private let keepsEnd: Bool

    init(limit: Int, keepsEnd: Bool) {
        self.limit = limit
        self.keepsEnd = keepsEnd
    }

    func drain(_ sequence: SubprocessOutputSequence) async {
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { bytes in
                    kept.withLock { kept in
                        if keepsEnd {
                            kept += bytes
                            if kept.count > limit { kept.removeFirst(kept.count - limit) }
                        } else if kept.count < limit {
                            kept += bytes.prefix(limit - kept.count)
                        }
                    }
                }
            }
        } catch {
            return  // a read cancelled when the browser has exited ends the reading, not the run
        }
    }

    var bytes: [UInt8] { kept.withLock { $0 } }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
