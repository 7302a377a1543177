import Glibc

/// Notices, through inotify, when the last client closes a pseudo-terminal's slave side.
///
/// Every open(2) of the slave device raises one `IN_OPEN`, and the final release of what it opened
/// one `IN_CLOSE_*`, also when the kernel closes the descriptors of a process killed with SIGKILL.
/// Counting them tells the server loop when nobody but the terminal itself has the line open, the
/// moment to put the line's settings back (`PseudoTerminal.restoreSettings()`). Opens made before
/// the watch (the terminal's own descriptor) are not counted. Lives on the loop's thread.
final class PseudoTerminalClients {
    /// The inotify descriptor for the loop's poll set; -1 when inotify is unavailable.
    let descriptor: Int32
    private var openCount = 0

    /// Starts watching the slave device at `path`.
    init(watching path: String) {
        var descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        let events = UInt32(IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)
        if descriptor >= 0, inotify_add_watch(descriptor, path, events) < 0 {
            close(descriptor)
            descriptor = -1
        }
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Reads every pending event; true when a client closed the line and none has it open now.
    ///
    /// A close followed by another client's open in the same batch is not a last close: that
    /// client has set its own settings already, and they are left alone.
    func lastClientClosed() -> Bool {
        guard descriptor >= 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var sawClose = false
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let event = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
                if event.mask & UInt32(IN_OPEN) != 0 { openCount += 1 }
                if event.mask & UInt32(IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) != 0 {
                    openCount = max(openCount - 1, 0)
                    sawClose = true
                }
                if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    // Events were lost: the count is unknown, so take the line as free.
                    openCount = 0
                    sawClose = true
                }
                offset += header + Int(event.len)
            }
        }
        return sawClose && openCount == 0
    }
}
