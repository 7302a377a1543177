import Foundation
import Glibc
import Synchronization
import StockpileTestSupport

/// Runs the built `stockpile` executable and collects its exit status and output.
enum StockpileRunner {
    struct Outcome {
        var status: Int32
        /// `.uncaughtSignal` when the child was ended by a signal (a trap is SIGILL, 132 in a shell).
        var reason: Process.TerminationReason = .exit
        /// The child was still running when the run's time limit came, and was killed.
        var timedOut = false
        var standardOutput: String
        var standardError: String
    }

    /// A test's own set-up that could not be made.
    struct LaunchFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The executable next to the test bundle (`swift build --build-tests` builds it there).
    /// `STOCKPILE_EXECUTABLE` overrides it, to run the CLI tests against another build.
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["STOCKPILE_EXECUTABLE"] { return URL(fileURLWithPath: path) }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [
            beside, beside.deletingLastPathComponent(), repository.appendingPathComponent(".build/debug"),
        ] {
            let candidate = directory.appendingPathComponent("stockpile")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return repository.appendingPathComponent(".build/debug/stockpile")
    }

    /// Runs `stockpile` with `arguments` from the repository root and waits for it to exit; with a
    /// `timeLimit`, a child still running then is killed and reported as timed out.
    ///
    /// Spawned with `posix_spawn`, not `Foundation.Process`: `Process.run()` on Linux over-reads
    /// `/proc/self/fd` entries and crashes now and then when many children run at once
    /// (swift-corelibs-foundation PR #5472), which the hostile-input sweep does.
    ///
    /// `lowPriority` runs the child at nice 19, so a sweep of many short children yields the CPU to
    /// the timing tests running beside it.
    static func run(
        _ arguments: [String], timeLimit: Duration? = nil, lowPriority: Bool = false
    ) async throws -> Outcome {
        let child = try SpawnedChild(
            executable: executable.path, arguments: arguments, directory: repository.path, lowPriority: lowPriority)
        if let timeLimit {
            let pid = child.pid
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(timeLimit.components.seconds)) {
                if child.markTimedOutIfRunning() { kill(pid, SIGKILL) }
            }
        }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: child.wait()) }
        }
    }
}

/// A child process with its standard output and error on pipes, read to the end on threads of their own.
private final class SpawnedChild: Sendable {
    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    private let state = Mutex((output: Data(), error: Data(), timedOut: false, exited: false))
    private let group = DispatchGroup()

    init(executable: String, arguments: [String], directory: String, lowPriority: Bool) throws {
        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0, pipe(&errorPipe) == 0 else {
            throw LaunchError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // Close-on-exec, so no other child spawned meanwhile keeps a write end (and our read) open.
        for descriptor in outputPipe + errorPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // `env -C` changes directory and then execs the executable, so `pid` is stockpile's own
        // (Swift's Glibc module does not export posix_spawn_file_actions_addchdir_np).
        let launcher = "/usr/bin/env"
        let nice = lowPriority ? ["/usr/bin/nice", "-n", "19"] : []
        let argv = ([launcher, "-C", directory] + nice + [executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, launcher, &actions, nil, argv, environ)
        close(outputPipe[1])
        close(errorPipe[1])
        guard spawned == 0 else {
            close(outputPipe[0])
            close(errorPipe[0])
            throw LaunchError(description: "posix_spawn \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        for (descriptor, isError) in [(outputPipe[0], false), (errorPipe[0], true)] {
            group.enter()
            DispatchQueue.global().async { [self] in
                let data = PipeReading.toEnd(descriptor)
                close(descriptor)
                state.withLock { isError ? ($0.error = data) : ($0.output = data) }
                group.leave()
            }
        }
    }

    /// True when the child had not exited yet: the caller kills it.
    func markTimedOutIfRunning() -> Bool {
        state.withLock { state in
            guard !state.exited else { return false }
            state.timedOut = true
            return true
        }
    }

    /// Blocks until the child has exited and both pipes are read.
    func wait() -> StockpileRunner.Outcome {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        state.withLock { $0.exited = true }
        group.wait()
        // The wait status: the low 7 bits are the signal that ended the child, 0 for a normal exit.
        let signal = status & 0x7f
        return state.withLock { state in
            StockpileRunner.Outcome(
                status: signal == 0 ? (status >> 8) & 0xff : signal,
                reason: signal == 0 ? .exit : .uncaughtSignal, timedOut: state.timedOut,
                standardOutput: String(decoding: state.output, as: UTF8.self),
                standardError: String(decoding: state.error, as: UTF8.self))
        }
    }
}
