import Foundation

/// The agent's claim on its data directory: one agent per store.
///
/// An exclusive `flock` on `DIR/agent.lock`, held for the life of the process (the kernel drops it
/// when the process ends, however it ends, so a crashed agent never leaves a stale claim). The file
/// holds the owner's pid, so a second agent is refused with the first one's pid.
public final class DataDirectoryLock: Sendable {
    /// The lock file's descriptor; only closed in `deinit`, never changed.
    private let descriptor: Int32
    public let path: String

    /// Takes the lock or throws at once, naming the agent that holds it.
    public init(directory: String) throws(AgentError) {
        path = (directory as NSString).appendingPathComponent("agent.lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw AgentError(
                .lockDataDirectory, path: path, code: code,
                message: "cannot create the lock file \(path): \(String(cString: strerror(code))) (errno \(code))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = Self.readOwner(descriptor)
            close(descriptor)
            if code == EWOULDBLOCK {
                throw AgentError(
                    .lockDataDirectory, path: directory, code: code, holder: holder,
                    message:
                        "another agent\(holder.map { " (pid \($0))" } ?? "") is using the data directory \(directory); "
                        + "one store takes one agent: stop it first, or give this one another --data-dir")
            }
            throw AgentError(
                .lockDataDirectory, path: path, code: code,
                message: "cannot lock \(path): \(String(cString: strerror(code))) (errno \(code))")
        }
        let text = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    private static func readOwner(_ descriptor: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 31, 0) }
        guard count > 0 else { return nil }
        return Int(
            String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
