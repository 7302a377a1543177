internal import CModbus
import Dispatch
import Foundation
import Glibc
import Synchronization
import Modbus

/// The thread one server loop runs on, the flag that asks it to stop, and the pipe that wakes it.
///
/// Loops block in poll(2) on their sockets plus `wakeDescriptor`. `requestStop()` sets the flag and
/// writes a byte to the pipe, so the loop notices at once rather than at its next timeout, and
/// `waitUntilFinished()` returns only once the loop has closed its sockets: a test can stop a
/// server and bind the same port again straight away.
final class ServerLoopThread: Sendable {
    /// Carries the loop's set-up result from its thread to the caller of `start`.
    private final class Handoff<Ready: Sendable>: Sendable {
        let result = Mutex<Result<Ready, ModbusError>?>(nil)
        let ready = DispatchSemaphore(value: 0)
    }

    let name: String
    /// The read end of the wake-up pipe, for the loop's poll set.
    let wakeDescriptor: Int32
    private let wakeWriter: Int32
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Creates the wake-up pipe; the thread starts with `start(_:)`.
    init(name: String) throws(ModbusError) {
        self.name = name
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            let code = cmodbus_errno()
            throw ModbusError.server("cannot create the wake-up pipe for \(name)", code: code)
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    /// True once a stop was requested; the loop checks it after every wake-up.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Starts the thread, runs `setUp` on it and waits for its outcome; then the thread runs the
    /// loop that `setUp` returned until a stop is requested.
    ///
    /// Set-up runs on the loop's own thread so that the libmodbus context never crosses threads:
    /// it is created, used and freed there. The caller blocks only for the set-up (a bind, a
    /// listen), which is quick.
    func start<Ready: Sendable>(
        _ setUp: @escaping @Sendable (ServerLoopThread) throws(ModbusError) -> (ready: Ready, run: () -> Void)
    ) throws(ModbusError) -> Ready {
        let handoff = Handoff<Ready>()
        let thread = Thread { [self] in
            runToEnd(setUp, handoff)
            finished.signal()
        }
        thread.name = name
        thread.start()
        handoff.ready.wait()
        switch handoff.result.withLock({ $0 }) {
        case .success(let ready)?: return ready
        case .failure(let error)?: throw error
        case nil: preconditionFailure("the loop thread signalled without a result")
        }
    }

    /// Runs set-up and loop; when it returns, the loop and its sockets are gone.
    private func runToEnd<Ready: Sendable>(
        _ setUp: @Sendable (ServerLoopThread) throws(ModbusError) -> (ready: Ready, run: () -> Void),
        _ handoff: Handoff<Ready>
    ) {
        let loop: () -> Void
        do {
            let (ready, run) = try setUp(self)
            handoff.result.withLock { $0 = .success(ready) }
            loop = run
        } catch {
            handoff.result.withLock { $0 = .failure(error) }
            handoff.ready.signal()
            return
        }
        handoff.ready.signal()
        loop()
    }

    /// Asks the loop to stop and wakes it; does not wait.
    func requestStop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    /// Waits until the loop has ended and closed its sockets. Must not be called from the loop.
    func waitUntilFinished() {
        finished.wait()
        // Let any later caller through as well.
        finished.signal()
    }

    /// Empties the wake-up pipe after poll reported it readable.
    func drainWakeUps() {
        var bytes = [UInt8](repeating: 0, count: 16)
        while read(wakeDescriptor, &bytes, bytes.count) > 0 {}
    }
}

extension ModbusError {
    /// A server-side failure (listen, pipe, terminal): the cause sorted from errno, the message ours.
    static func server(_ message: String, code: Int32) -> ModbusError {
        ModbusError(
            cause: ModbusErrorCode.cause(for: code), function: .connect, code: code,
            message: "\(message): \(ModbusErrorCode.text(for: code))")
    }
}
