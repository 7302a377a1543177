public import ServiceLifecycle

/// Runs every bus poller of the site side by side, one task each, until graceful shutdown.
///
/// On shutdown the pollers stop taking new polls; a poll in flight finishes (bounded by its
/// device's timeout) and hands its readings to the writer before `run()` returns, so the store
/// service, shut down after this one, flushes them.
public struct PollingService: Service {
    public let pollers: [BusPoller]

    public init(pollers: [BusPoller]) {
        self.pollers = pollers
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for poller in pollers {
                    group.addTask { await poller.run() }
                }
            }
        }
    }
}
