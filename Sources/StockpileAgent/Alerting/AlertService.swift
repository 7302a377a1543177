import Foundation
public import Logging
public import ServiceLifecycle
public import StockpileAlerts
public import StockpileNotifiers

/// Runs the site's `AlertLoop` once a `tick` (an acknowledgement or a silence from the CLI takes
/// effect within one), with one delivery worker per receiver: a slow or failing receiver holds up
/// only its own queue, never a tick, the polling or another receiver.
///
/// On shutdown the workers stop; a notification still queued is not lost, because its planner records
/// it as sent only on success and tells it again after the restart.
public struct AlertService: Service {
    public let loop: AlertLoop
    public let tick: Duration
    private let senders: [String: any AlertSender]
    private let queues:
        [String: (stream: AsyncStream<AlertNotification>, input: AsyncStream<AlertNotification>.Continuation)]
    private let logger: Logger

    /// - Parameter makeLoop: builds the loop around the dispatch function this service provides.
    public init(
        senders: [String: any AlertSender], tick: Duration = .seconds(1), logger: Logger,
        makeLoop: (@escaping @Sendable (AlertNotification) -> Void) -> AlertLoop
    ) {
        var queues: [String: (AsyncStream<AlertNotification>, AsyncStream<AlertNotification>.Continuation)] = [:]
        for name in senders.keys {
            // A receiver that falls far behind drops its oldest queued sends: its planner tells them again.
            queues[name] = AsyncStream.makeStream(of: AlertNotification.self, bufferingPolicy: .bufferingNewest(256))
        }
        let inputs = queues.mapValues(\.1)
        self.queues = queues.mapValues { (stream: $0.0, input: $0.1) }
        self.senders = senders
        self.tick = tick
        self.logger = logger
        self.loop = makeLoop { notification in inputs[notification.receiver]?.yield(notification) }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for (name, sender) in senders {
                    guard let queue = queues[name] else { continue }
                    group.addTask { await deliver(queue.stream, through: sender, receiver: name) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await loop.tick(now: Date())
                        } catch {
                            // A failed tick loses nothing: the next one starts from the same tracker and store.
                            logger.error("alert evaluation failed", metadata: ["error": "\(error)"])
                        }
                        do { try await Task.sleep(for: tick) } catch { break }
                    }
                    for queue in queues.values { queue.input.finish() }
                }
            }
        }
    }

    private func deliver(
        _ stream: AsyncStream<AlertNotification>, through sender: any AlertSender, receiver: String
    ) async {
        for await notification in stream {
            if Task.isCancelled { break }
            var failure: (any Error)?
            do { try await sender.send(notification) } catch { failure = error }
            await loop.delivered(receiver: receiver, groupKey: notification.groupKey, error: failure, now: Date())
        }
    }
}
