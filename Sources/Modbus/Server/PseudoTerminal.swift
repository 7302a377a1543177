internal import CModbus
import Glibc
import Synchronization

/// A pseudo-terminal pair standing in for a serial line.
///
/// A `ModbusServer` answers on the master side (`startRTU(on:)`); clients open `slavePath` as
/// they would `/dev/ttyUSB0`, e.g. `.rtu(SerialLine(device: terminal.slavePath))`. The slave side
/// is put in raw mode so that no byte of a frame is translated or echoed, and the terminal keeps
/// a slave descriptor open itself: without one, the master reads EIO (a hang-up) whenever no
/// client happens to have the line open, as between two reconnects.
///
/// The slave's settings (termios, exclusivity) are one set shared by every opener, master side
/// included, and a client killed with SIGKILL (or one that fails after connecting, as an RS-485
/// switch does on a pty) never restores them. The next client asking for the same parity then
/// fails in `tcsetattr` with EINVAL: a pty keeps no parity bit, so the settings come out unchanged,
/// and glibc (2.36, checking PARENB after TCSETS) reports that as a refusal. A server therefore
/// calls `restoreSettings()` whenever the last client has closed the line.
public final class PseudoTerminal: Sendable {
    /// The slave side's device path, such as `/dev/pts/3`, for clients to open.
    public let slavePath: String

    private let descriptors: Mutex<(master: Int32, slave: Int32)?>
    /// The slave's settings as opened: raw, so no byte of a frame is translated or echoed.
    private let settings: termios

    /// Opens a new pair.
    public init() throws(ModbusError) {
        // openpty(3) is posix_openpt, grantpt, unlockpt and ptsname in one call; those four are
        // hidden from Swift's Glibc module (they need _XOPEN_SOURCE), openpty is not.
        var master: Int32 = -1
        var slave: Int32 = -1
        var raw = termios()
        cfmakeraw(&raw)
        guard openpty(&master, &slave, nil, &raw, nil) == 0 else {
            throw ModbusError.server("cannot open a pseudo-terminal", code: cmodbus_errno())
        }
        for descriptor in [master, slave] { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var name = [CChar](repeating: 0, count: 256)
        let failure = ttyname_r(slave, &name, name.count)
        guard failure == 0 else {
            Glibc.close(master)
            Glibc.close(slave)
            throw ModbusError.server("cannot name the pseudo-terminal's slave side", code: failure)
        }
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var opened = raw
        _ = tcgetattr(slave, &opened)
        settings = opened
        descriptors = Mutex((master, slave))
    }

    deinit {
        close()
    }

    /// True until `close()`.
    public var isOpen: Bool { descriptors.withLock { $0 != nil } }

    /// Closes both sides. A server still serving the terminal stops once no client has the slave
    /// side open either.
    public func close() {
        let open = descriptors.withLock { (descriptors) -> (master: Int32, slave: Int32)? in
            defer { descriptors = nil }
            return descriptors
        }
        guard let open else { return }
        Glibc.close(open.master)
        Glibc.close(open.slave)
    }

    /// Puts the slave side back as it was opened: its raw settings, not exclusive (`TIOCNXCL`, in
    /// case a client set `TIOCEXCL` and died), and nothing left unread in its input (answers to a
    /// client that is gone). Call it only when no client has the line open.
    public func restoreSettings() {
        descriptors.withLock { descriptors in
            guard let descriptors else { return }
            var settings = settings
            _ = tcsetattr(descriptors.slave, TCSANOW, &settings)
            _ = ioctl(descriptors.slave, UInt(TIOCNXCL))
            _ = tcflush(descriptors.slave, TCIFLUSH)
        }
    }

    /// A descriptor of the master side of the server's own, so that closing the terminal cannot
    /// pull it from under a running loop (nor hand its number to an unrelated file).
    func duplicateMaster() throws(ModbusError) -> Int32 {
        let duplicate = descriptors.withLock { (descriptors) -> (Int32, Int32) in
            guard let descriptors else { return (-1, EBADF) }
            let duplicate = fcntl(descriptors.master, F_DUPFD_CLOEXEC, 0)
            return (duplicate, duplicate < 0 ? cmodbus_errno() : 0)
        }
        guard duplicate.0 >= 0 else {
            throw ModbusError.server("cannot use the pseudo-terminal \(slavePath)", code: duplicate.1)
        }
        return duplicate.0
    }
}
