import Metrics

/// One receiver's delivery metrics, through swift-metrics (whatever backend the process bootstrapped):
///
/// - `stockpile_notifications_total{receiver, outcome}`: sends by outcome, `success` or a
///   `DeliveryError.Kind` (`timeout`, `http_status`, `connection`, `command_start`, `command_exit`,
///   `command_killed`)
/// - `stockpile_notification_seconds{receiver}`: how long each send took, successful or not
/// - `stockpile_notification_failures_total{receiver, kind}`: the failed sends alone, by
///   `DeliveryError.Kind`, for an alert on "notifications fail" that need not exclude `success`
struct DeliveryMetrics: Sendable {
    let receiver: String
    private let latency: Metrics.Timer

    init(receiver: String) {
        self.receiver = receiver
        latency = Metrics.Timer(label: "stockpile_notification_seconds", dimensions: [("receiver", receiver)])
    }

    /// Runs one send, counting its outcome and timing it.
    func measure(_ send: () async throws(DeliveryError) -> Void) async throws(DeliveryError) {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await send()
            record(clock.now - start)
            count("success")
        } catch {
            record(clock.now - start)
            count(error.kind.rawValue)
            Counter(
                label: "stockpile_notification_failures_total",
                dimensions: [("receiver", receiver), ("kind", error.kind.rawValue)]
            )
            .increment()
            throw error
        }
    }

    private func record(_ elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        latency.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private func count(_ outcome: String) {
        Counter(label: "stockpile_notifications_total", dimensions: [("receiver", receiver), ("outcome", outcome)])
            .increment()
    }
}
