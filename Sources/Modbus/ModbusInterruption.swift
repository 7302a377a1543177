import Foundation
import Synchronization

/// A request, from any thread, that a client stop waiting and stop sending.
///
/// Shutdown sets it while the client's thread is inside a session: the request on the wire ends
/// by its own timeout, every wait the client would start afterwards (a late-answer guard, a pause)
/// returns at once, and callers that loop over requests check it between them.
final class ModbusInterruption: Sendable {
    private let requested = Atomic<Bool>(false)

    func request() { requested.store(true, ordering: .releasing) }

    var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// Sleeps on the calling thread until `deadline`, in short slices so a request cuts it short.
    /// Returns false when interrupted.
    func sleep(until deadline: ContinuousClock.Instant) -> Bool {
        while !isRequested {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return true }
            let slice = min(remaining, .milliseconds(10))
            usleepDuration(slice)
        }
        return false
    }

    private func usleepDuration(_ duration: Duration) {
        let micros = max(duration.microseconds, 0)
        usleep(UInt32(clamping: micros))
    }
}
