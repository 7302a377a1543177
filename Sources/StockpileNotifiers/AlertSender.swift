public import StockpileAlerts

/// Delivers one notification to one receiver, or says why it could not.
///
/// A sender makes exactly one attempt, bounded by the receiver's timeout: retries and their back-off
/// are the `NotificationPlanner`'s (`noteFailure`), so a sender never sleeps or loops. Senders are
/// values that can be shared by any number of concurrent sends.
public protocol AlertSender: Sendable {
    /// Sends `notification` once; returns when the receiver has taken it.
    func send(_ notification: AlertNotification) async throws(DeliveryError)
}
