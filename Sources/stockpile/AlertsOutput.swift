import ArgumentParser
import Foundation
import StockpileAlerts
import StockpileDomain

/// How the `alerts` commands read their values and write alerts: tables for people, JSON with numbers as
/// numbers and times in RFC 3339 UTC for programs.
enum AlertsOutput {
    // MARK: - Values

    /// The largest alert id the commands take: far beyond any store's, well within every integer type.
    static let largestID = 1_000_000_000_000

    /// An alert id: a whole number from 1.
    static let id: @Sendable (String) throws -> Int = OptionValue.int(in: 1...largestID)

    /// A person's name (`--by`): not empty, not only spaces, one line.
    static let name: @Sendable (String) throws -> String = { text in
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ValidationError("say who: a name, found nothing") }
        guard !trimmed.contains(where: \.isNewline) else { throw ValidationError("a name is one line") }
        guard trimmed.count <= 200 else { throw ValidationError("a name is at most 200 characters") }
        return trimmed
    }

    /// A comment (`--comment`): why, in a few words; not empty.
    static let comment: @Sendable (String) throws -> String = { text in
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ValidationError("say why: a comment, found nothing") }
        guard trimmed.count <= 2000 else { throw ValidationError("a comment is at most 2000 characters") }
        return trimmed
    }

    /// An instant as the options take it: ISO 8601 with its offset (`2026-12-01T08:00:00Z`).
    static let instant: @Sendable (String) throws -> Date = { text in
        guard let date = UTCTimestamp.parse(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("expected an ISO 8601 time such as 2026-12-01T08:00:00Z, found \"\(text)\"")
        }
        return date
    }

    /// The longest silence or look-back the commands take: ten years.
    static let longest = Duration.seconds(10 * 366 * 86_400)

    /// `--since`: a duration ago or an instant.
    enum Since: Sendable {
        case ago(Duration)
        case at(Date)

        func instant(now: Date) -> Date {
            switch self {
            case .ago(let duration): now.addingTimeInterval(-duration.seconds)
            case .at(let date): date
            }
        }
    }

    /// `24h`, `30m` (ago, up to ten years) or an ISO 8601 instant.
    static let since: @Sendable (String) throws -> Since = { text in
        if let date = UTCTimestamp.parse(text.trimmingCharacters(in: .whitespaces)) { return .at(date) }
        do {
            return .ago(try CheckedNumber.duration(text, in: .zero...longest))
        } catch let error as CheckedNumber.Failure {
            throw ValidationError(
                "\(error.message) (give a duration ago such as 24h, or an ISO 8601 time such as 2026-12-01T08:00:00Z)")
        }
    }

    // MARK: - Text

    /// The labels that say what an alert is about: all but the rule's name, the severity and the site.
    static func subject(_ alert: Alert) -> String {
        alert.labels.keys.filter { !["alertname", "severity", "site"].contains($0) }.sorted().map {
            "\($0)=\(alert.labels[$0]!)"
        }.joined(separator: ",")
    }

    /// Since when the alert is in its state: its latest transition.
    static func since(_ alert: Alert) -> Date {
        alert.history.last?.at ?? alert.activeSince
    }

    /// `alerts list`: one row per alert.
    static func table(_ alerts: [Alert]) -> String {
        var table = TextTable(
            header: ["id", "state", "severity", "rule", "subject", "since", "value", "acknowledged by"])
        table.rows = alerts.map { alert in
            [
                "\(alert.id)", alert.state.rawValue, alert.severity.rawValue, alert.rule, subject(alert),
                UTCTimestamp.text(since(alert)), alert.lastValue.map(Numbers.text) ?? "",
                alert.acknowledgement?.by ?? "",
            ]
        }
        return table.render()
    }

    /// `alerts show`: the alert's fields, then its history.
    static func detail(_ alert: Alert) -> String {
        func time(_ date: Date?) -> String { date.map(UTCTimestamp.text) ?? "-" }
        func number(_ value: Double?) -> String { value.map(Numbers.text) ?? "-" }
        var lines = [
            "alert #\(alert.id): \(alert.rule), \(alert.severity.rawValue), \(alert.state.rawValue)",
            "summary: \(alert.summary.isEmpty ? "-" : alert.summary)",
            "labels: " + alert.labels.keys.sorted().map { "\($0)=\(alert.labels[$0]!)" }.joined(separator: ", "),
            "fingerprint: \(alert.fingerprint)",
            "active since: \(time(alert.activeSince)), fired: \(time(alert.startsAt)), ended: \(time(alert.endsAt))",
            "values: when fired \(number(alert.triggeringValue)), peak \(number(alert.peakValue)), "
                + "latest \(number(alert.lastValue))",
        ]
        if let acknowledgement = alert.acknowledgement {
            lines.append(
                "acknowledged by \(acknowledgement.by) at \(time(acknowledgement.at))"
                    + (acknowledgement.comment.isEmpty ? "" : ": \(acknowledgement.comment)"))
        }
        var table = TextTable(header: ["at", "from", "to", "value", "by", "comment"])
        table.rows = alert.history.map { transition in
            [
                UTCTimestamp.text(transition.at), transition.from.rawValue, transition.to.rawValue,
                transition.value.map(Numbers.text) ?? "", transition.by ?? "", transition.comment ?? "",
            ]
        }
        lines.append("history:")
        lines += table.render().split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }
        return lines.joined(separator: "\n")
    }

    // MARK: - JSON

    static func time(_ date: Date?) -> Any { date.map(UTCTimestamp.text) ?? NSNull() }

    /// An alert as `list --json` and `show --json` write it; `show` adds the history.
    static func json(_ alert: Alert, history: Bool) -> [String: Any] {
        var object: [String: Any] = [
            "id": alert.id, "fingerprint": alert.fingerprint, "rule": alert.rule, "state": alert.state.rawValue,
            "severity": alert.severity.rawValue, "labels": alert.labels, "summary": alert.summary,
            "active_since": time(alert.activeSince), "starts_at": time(alert.startsAt), "ends_at": time(alert.endsAt),
            "since": time(since(alert)), "value": alert.lastValue ?? NSNull(),
            "triggering_value": alert.triggeringValue ?? NSNull(), "peak_value": alert.peakValue ?? NSNull(),
            "acknowledgement": alert.acknowledgement.map { acknowledgement -> [String: Any] in
                ["by": acknowledgement.by, "at": time(acknowledgement.at), "comment": acknowledgement.comment]
            } ?? NSNull(),
        ]
        if history { object["history"] = alert.history.map(json) }
        return object
    }

    /// A transition as `history --json` (and `show --json`'s history) writes it.
    static func json(_ transition: AlertTransition) -> [String: Any] {
        [
            "alert_id": transition.alertID, "fingerprint": transition.fingerprint, "rule": transition.rule,
            "from": transition.from.rawValue, "to": transition.to.rawValue, "at": time(transition.at),
            "value": transition.value ?? NSNull(), "by": transition.by ?? NSNull(),
            "comment": transition.comment ?? NSNull(),
        ]
    }

    /// A silence as `silences --json` writes it, with its state at `now`.
    static func json(_ silence: Silence, now: Date) -> [String: Any] {
        [
            "id": silence.id, "matchers": silence.matchers.map(\.description), "starts_at": time(silence.startsAt),
            "ends_at": time(silence.endsAt), "created_by": silence.createdBy, "comment": silence.comment,
            "state": silence.state(at: now).rawValue,
        ]
    }
}
