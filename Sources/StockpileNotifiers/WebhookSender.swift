public import AsyncHTTPClient
public import Logging
public import StockpileAlerts

/// POSTs Alertmanager's webhook body (`version: "4"`, every field) to a `webhook` receiver's URL.
///
/// One request with `Content-Type: application/json`, bounded by the receiver's `timeout` (10 s
/// unless the site file sets one); any 2xx status is success, anything else a `.httpStatus` error
/// with the status, no answer in time a `.timeout`, no connection a `.connection` error.
public struct WebhookSender: AlertSender {
    /// The receiver's name.
    public let receiver: String
    /// The dashboard URL the body's `externalURL` and `generatorURL`s are made from.
    public let externalURL: String
    private let delivery: HTTPDelivery
    private let metrics: DeliveryMetrics

    /// A sender for a `webhook` receiver; nil for any other kind.
    public init?(_ receiver: AlertReceiver, externalURL: String = "", httpClient: HTTPClient, logger: Logger) {
        guard case .webhook(let url) = receiver.kind else { return nil }
        self.receiver = receiver.name
        self.externalURL = externalURL
        delivery = HTTPDelivery(
            receiver: receiver.name, target: HTTPTarget(url), timeout: receiver.timeout, httpClient: httpClient,
            logger: logger)
        metrics = DeliveryMetrics(receiver: receiver.name)
    }

    /// POSTs the notification's webhook body.
    public func send(_ notification: AlertNotification) async throws(DeliveryError) {
        let body = AlertmanagerWebhookBody(notification, externalURL: externalURL).json()
        try await metrics.measure { () throws(DeliveryError) in
            try await delivery.post(body) { (200..<300).contains($0) }
        }
    }
}
