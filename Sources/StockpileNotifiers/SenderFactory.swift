public import AsyncHTTPClient
public import Logging
public import StockpileAlerts

/// Makes the sender for a receiver.
///
/// Every HTTP sender shares one `HTTPClient`, which the caller creates before the first send and
/// shuts down after the last (the client owns connections and threads; it must be shut down, and
/// only once nothing sends any more). In the agent it belongs in the service lifecycle:
///
/// ```swift
/// let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
/// let senders = configuration.receivers.compactMap { receiver in
///     SenderFactory.sender(
///         for: receiver, externalURL: configuration.externalURL, httpClient: httpClient, logger: logger)
///         .map { (receiver.name, $0) }
/// }
/// // … run the ServiceGroup (the alert service among its services) to its end …
/// try await httpClient.shutdown()
/// ```
///
/// Or as a `Service` of its own, started before the alert service and so shut down after it:
/// `try? await gracefulShutdown(); try await httpClient.shutdown()` in its `run()`.
public enum SenderFactory {
    /// The sender for `receiver`; nil for the `log` receiver, whose lines the caller writes through
    /// `AlertLogEntry`.
    public static func sender(
        for receiver: AlertReceiver, externalURL: String = "", httpClient: HTTPClient, logger: Logger
    ) -> (any AlertSender)? {
        switch receiver.kind {
        case .log: nil
        case .webhook: WebhookSender(receiver, externalURL: externalURL, httpClient: httpClient, logger: logger)
        case .alertmanager:
            AlertmanagerSender(receiver, externalURL: externalURL, httpClient: httpClient, logger: logger)
        case .command: CommandSender(receiver, externalURL: externalURL, logger: logger)
        }
    }
}
