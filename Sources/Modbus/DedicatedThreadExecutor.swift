import Dispatch
import Foundation
import Synchronization

/// A serial executor that runs every job on one thread of its own.
///
/// libmodbus calls block for up to the response timeout. Running them on this thread keeps them
/// off Swift's cooperative pool, so eight devices timing out at once wait in parallel, not
/// two at a time on two cores.
public final class DedicatedThreadExecutor: SerialExecutor {
    private struct Queue: ~Copyable {
        var jobs: [UnownedJob] = []
        var stopping = false
    }

    private let queue = Mutex(Queue())
    /// Counts queued jobs plus one for a stop request; the thread sleeps on it when idle.
    private let wakeUps = DispatchSemaphore(value: 0)
    public let name: String

    /// Starts the thread. It runs until `shutdown()`; jobs queued before that still run.
    public init(name: String) {
        self.name = name
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.withLock { $0.jobs.append(unowned) }
        wakeUps.signal()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread finish its queued jobs and exit.
    public func shutdown() {
        queue.withLock { $0.stopping = true }
        wakeUps.signal()
    }

    private func run() {
        while true {
            wakeUps.wait()
            let next: UnownedJob?? = queue.withLock { queue in
                if !queue.jobs.isEmpty { return .some(queue.jobs.removeFirst()) }
                return queue.stopping ? .none : .some(nil)
            }
            switch next {
            case .none: return
            case .some(.none): continue
            case .some(.some(let job)): job.runSynchronously(on: asUnownedSerialExecutor())
            }
        }
    }
}
