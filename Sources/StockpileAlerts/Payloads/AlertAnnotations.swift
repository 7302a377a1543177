/// The annotations Stockpile attaches to an alert in payloads: what people read.
///
/// `summary` (the latest sentence), `value` (the latest value), `triggering_value` (the value when
/// it fired), `peak_value`, and for an acknowledged alert `acknowledged_by` and
/// `acknowledgement_comment`. Values appear only when the alert has them.
enum AlertAnnotations {
    static func of(_ alert: Alert) -> [String: String] {
        var annotations = ["summary": alert.summary]
        if let value = alert.lastValue { annotations["value"] = AlertText.number(value) }
        if let value = alert.triggeringValue { annotations["triggering_value"] = AlertText.number(value) }
        if let value = alert.peakValue { annotations["peak_value"] = AlertText.number(value) }
        if let acknowledgement = alert.acknowledgement {
            annotations["acknowledged_by"] = acknowledgement.by
            annotations["acknowledgement_comment"] = acknowledgement.comment
        }
        return annotations
    }

    /// `EXTERNAL_URL/alerts/ID`, or empty when the site sets no external URL.
    static func generatorURL(_ alert: Alert, externalURL: String) -> String {
        guard !externalURL.isEmpty else { return "" }
        return (externalURL.hasSuffix("/") ? String(externalURL.dropLast()) : externalURL) + "/alerts/\(alert.id)"
    }
}
