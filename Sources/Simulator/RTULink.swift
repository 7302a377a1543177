import Glibc

/// The symlink a simulator makes to an RTU line's pseudo-terminal, so a site file can name a
/// stable path such as `/tmp/stockpile-rtu`.
///
/// Nothing the simulator did not make is destroyed: it replaces only a dangling symlink (its
/// target gone, as a simulator killed with SIGKILL leaves one behind) and refuses a regular file,
/// a directory, a device or a live symlink, such as another running simulator's line. On exit it
/// removes the link only while it is still the symlink it made, pointing to its own pty.
struct RTULink: Sendable {
    /// Where the link is.
    let path: String
    /// The pty's slave path the link points to.
    let target: String

    /// Makes the link at `path` to `target`; the error says, in one line, what is in the way.
    static func make(at path: String, to target: String) throws(RTULinkError) -> RTULink {
        if let obstacle = obstacle(at: path) {
            guard obstacle.isDanglingSymlink else {
                throw RTULinkError(
                    path: path, reason: "\(obstacle.description) is there; only a dangling symlink is replaced")
            }
            guard unlink(path) == 0 || errno == ENOENT else {
                let reason = "cannot remove the dangling symlink: \(String(cString: strerror(errno)))"
                throw RTULinkError(path: path, reason: reason)
            }
        }
        // symlink(2) never replaces: whatever appeared since the check is refused by EEXIST.
        guard symlink(target, path) == 0 else {
            let code = errno
            let reason = code == EEXIST ? "something appeared there meanwhile" : String(cString: strerror(code))
            throw RTULinkError(path: path, reason: reason)
        }
        return RTULink(path: path, target: target)
    }

    /// Removes the link if it is still the symlink this simulator made; true when it did.
    @discardableResult
    func remove() -> Bool {
        guard let found = Self.obstacle(at: path), case .symlink(let to, _) = found, to == target else { return false }
        return unlink(path) == 0
    }

    /// What is at a path, as far as making a link there is concerned.
    enum Obstacle: CustomStringConvertible {
        case symlink(to: String, targetExists: Bool)
        case regularFile
        case directory
        case other

        var isDanglingSymlink: Bool {
            if case .symlink(_, false) = self { return true }
            return false
        }

        var description: String {
            switch self {
            case .symlink(let to, _): "a live symlink to \(to) (another simulator's line?)"
            case .regularFile: "a regular file"
            case .directory: "a directory"
            case .other: "a device, socket or fifo"
            }
        }
    }

    /// Nil when nothing is at `path`.
    static func obstacle(at path: String) -> Obstacle? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(path, &buffer, buffer.count - 1)
            let bytes = length < 0 ? [] : buffer[0..<length].map { UInt8(bitPattern: $0) }
            let to = length < 0 ? "?" : String(decoding: bytes, as: UTF8.self)
            var followed = stat()
            let targetExists = stat(path, &followed) == 0 || errno != ENOENT
            return .symlink(to: to, targetExists: targetExists)
        case S_IFREG: return .regularFile
        case S_IFDIR: return .directory
        default: return .other
        }
    }
}

/// Why the simulator did not make an RTU line's link.
struct RTULinkError: Error, Sendable, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "will not make the link \(path): \(reason)" }
}
