public import AsyncHTTPClient
import Foundation
public import Logging
public import StockpileAlerts

/// POSTs a notification's alerts to an Alertmanager's `/api/v2/alerts` (the receiver's base URL
/// with that path appended) [src: alertmanager api/v2/openapi.yaml `postAlerts`: body
/// `postableAlerts`, 200 on success].
///
/// A firing alert's `endsAt` is four resend intervals ahead (`AlertmanagerPostableAlert`'s rule;
/// the resend interval is the receiver's `repeatInterval`, which the site file's `resend_interval`
/// sets), a resolved one's its real end. Only 200 is success; the request is bounded by the
/// receiver's `timeout` (10 s unless set).
public struct AlertmanagerSender: AlertSender {
    /// The receiver's name.
    public let receiver: String
    /// How often the planner re-sends active alerts; `endsAt` is four of these ahead while firing.
    public let resendInterval: Duration
    /// The dashboard URL the alerts' `generatorURL`s are made from.
    public let externalURL: String
    private let delivery: HTTPDelivery
    private let metrics: DeliveryMetrics

    /// A sender for an `alertmanager` receiver; nil for any other kind.
    public init?(_ receiver: AlertReceiver, externalURL: String = "", httpClient: HTTPClient, logger: Logger) {
        guard case .alertmanager(let baseURL) = receiver.kind else { return nil }
        self.receiver = receiver.name
        self.externalURL = externalURL
        resendInterval = receiver.policy.repeatInterval
        delivery = HTTPDelivery(
            receiver: receiver.name, target: HTTPTarget(baseURL, appending: "/api/v2/alerts"),
            timeout: receiver.timeout, httpClient: httpClient, logger: logger)
        metrics = DeliveryMetrics(receiver: receiver.name)
    }

    /// POSTs the notification's alerts as postable alerts, stamped now.
    public func send(_ notification: AlertNotification) async throws(DeliveryError) {
        let body = AlertmanagerPostableAlert.json(
            notification, now: Date(), resendInterval: resendInterval, externalURL: externalURL)
        try await metrics.measure { () throws(DeliveryError) in
            try await delivery.post(body) { $0 == 200 }
        }
    }
}
