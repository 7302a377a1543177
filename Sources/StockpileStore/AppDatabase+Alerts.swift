public import Foundation
import GRDB
public import StockpileAlerts
import StockpileDomain

/// The alerts in the store (migration `v6`): the tracker's alerts and their transitions, silences, the CLI's
/// requests to a running agent, and each receiver's planner and delivery counters.
///
/// Values go in and out as the pure layer's types (`Alert`, `AlertTransition`, `Silence`,
/// `NotificationPlanner`); an alert's and a planner's whole value is kept as JSON, so what the agent
/// restores after a restart is exactly what it saved. Every write is one transaction.
extension AppDatabase {
    /// The states of an alert that can still change.
    static let openAlertStates = AlertState.allCases.filter(\.isOpen).map(\.rawValue)

    // MARK: - Alerts

    /// The tracker as the agent left it: the open alerts, and the resolved ones that ended within
    /// `resolvedRetention` before `now` (receivers still have to be told of them), in id order. Ids
    /// continue after the highest id the store has ever given, so a restarted agent never reuses one.
    public func loadAlertTracker(resolvedRetention: Duration, now: Date = Date()) async throws -> AlertTracker {
        let cutOff = StoreTime.milliseconds(now) - Int64((resolvedRetention.seconds * 1000).rounded())
        return try await reader.read { db in
            let open = Self.openAlertStates.map { "'\($0)'" }.joined(separator: ", ")
            let alerts = try Self.alerts(
                db,
                sql: """
                    SELECT id, body FROM alert
                    WHERE state IN (\(open)) OR (state = 'resolved' AND ends_at >= ?) ORDER BY id
                    """, arguments: [cutOff])
            let highest = try Int.fetchOne(db, sql: "SELECT MAX(id) FROM alert") ?? 0
            return AlertTracker(alerts: alerts, nextID: highest + 1, resolvedRetention: resolvedRetention)
        }
    }

    /// Upserts `alerts` (by id) and appends `transitions` to the alerts' event log, in one transaction.
    ///
    /// A transition already stored (same alert, states and instant) is recorded once, so saving the same
    /// round twice changes nothing. A transition of an alert that is not among `alerts` but is in the
    /// store (a pending alert that cleared, which the tracker drops at once) is applied to the stored
    /// alert too: its state, end and history follow, and it never stays open in the store by mistake.
    public func saveAlerts(_ alerts: [Alert], transitions: [AlertTransition]) async throws {
        try await writer.write { db in
            let given = Set(alerts.map(\.id))
            for alert in alerts { try Self.upsert(db, alert) }
            var changed: [Int: Alert] = [:]
            for transition in transitions where !given.contains(transition.alertID) {
                guard var alert = try changed[transition.alertID] ?? Self.storedAlert(db, id: transition.alertID)
                else { continue }
                Self.apply(transition, to: &alert)
                changed[alert.id] = alert
            }
            for alert in changed.values { try Self.upsert(db, alert) }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO alert_event (alert_id, fingerprint, rule, from_state, to_state, at, value, by, comment)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (alert_id, from_state, to_state, at) DO NOTHING
                    """)
            for transition in transitions {
                try insert.execute(arguments: [
                    transition.alertID, transition.fingerprint, transition.rule, transition.from.rawValue,
                    transition.to.rawValue, StoreTime.milliseconds(transition.at), transition.value, transition.by,
                    transition.comment,
                ])
            }
        }
    }

    /// Stored alerts, newest (highest id) first: the open ones, or every one with `includeResolved`
    /// (resolved, and pending ones that cleared before firing); at most `limit` when given.
    public func alerts(includeResolved: Bool, limit: Int? = nil) async throws -> [Alert] {
        try await reader.read { db in
            let open = Self.openAlertStates.map { "'\($0)'" }.joined(separator: ", ")
            let filter = includeResolved ? "" : "WHERE state IN (\(open))"
            return try Self.alerts(
                db, sql: "SELECT id, body FROM alert \(filter) ORDER BY id DESC LIMIT ?",
                arguments: [limit.map { max($0, 0) } ?? -1])
        }
    }

    /// The stored alert with this id, with its whole history.
    public func alert(id: Int) async throws -> Alert? {
        try await reader.read { db in try Self.storedAlert(db, id: id) }
    }

    static func storedAlert(_ db: Database, id: Int) throws -> Alert? {
        try alerts(db, sql: "SELECT id, body FROM alert WHERE id = ?", arguments: [id]).first
    }

    /// Every transition at or after `since`, oldest first (`stockpile alerts history`).
    public func alertEvents(since: Date) async throws -> [AlertTransition] {
        try await reader.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM alert_event WHERE at >= ? ORDER BY at, id",
                arguments: [StoreTime.milliseconds(since)]
            ).map { row in
                let from: String = row["from_state"]
                let to: String = row["to_state"]
                return AlertTransition(
                    alertID: row["alert_id"], fingerprint: row["fingerprint"], rule: row["rule"],
                    from: AlertState(rawValue: from) ?? .inactive, to: AlertState(rawValue: to) ?? .inactive,
                    at: StoreTime.date(row["at"]), value: row["value"], by: row["by"], comment: row["comment"])
            }
        }
    }

    static func upsert(_ db: Database, _ alert: Alert) throws {
        let updated = ([alert.lastActiveAt] + [alert.history.last?.at, alert.endsAt].compactMap { $0 }).max()!
        try db.execute(
            sql: """
                INSERT INTO alert (id, fingerprint, rule, severity, state, starts_at, ends_at, updated_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, rule = excluded.rule,
                    severity = excluded.severity, state = excluded.state, starts_at = excluded.starts_at,
                    ends_at = excluded.ends_at, updated_at = excluded.updated_at, body = excluded.body
                """,
            arguments: [
                alert.id, alert.fingerprint, alert.rule, alert.severity.rawValue, alert.state.rawValue,
                alert.startsAt.map(StoreTime.milliseconds), alert.endsAt.map(StoreTime.milliseconds),
                StoreTime.milliseconds(updated), try StoredJSON.text(alert),
            ])
    }

    /// A transition the tracker made, applied to a stored copy of its alert (as the tracker's own move does).
    static func apply(_ transition: AlertTransition, to alert: inout Alert) {
        guard !alert.history.contains(transition) else { return }
        switch transition.to {
        case .firing where alert.startsAt == nil:
            alert.startsAt = transition.at
            alert.triggeringValue = transition.value
        case .acknowledged:
            alert.acknowledgement = Alert.Acknowledgement(
                by: transition.by ?? "", at: transition.at, comment: transition.comment ?? "")
        case .resolved, .inactive: alert.endsAt = transition.at
        default: break
        }
        alert.state = transition.to
        alert.history.append(transition)
    }

    static func alerts(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Alert] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let id: Int = row["id"]
            return try StoredJSON.value(Alert.self, from: row["body"], what: "alert \(id)'s body")
        }
    }

    // MARK: - Silences

    /// Stores a new silence (created at `now`). Refused (``StoreError``, nothing written) without an id or a
    /// matcher, when it ends at or before it starts, or when its id is taken.
    public func addSilence(_ silence: Silence, at now: Date = Date()) async throws {
        guard !silence.id.isEmpty else { throw StoreError(.refused, "a silence needs an id") }
        guard !silence.matchers.isEmpty else {
            throw StoreError(.refused, "silence \(silence.id) has no matcher: it would silence nothing")
        }
        guard silence.endsAt > silence.startsAt else {
            throw StoreError(.refused, "silence \(silence.id) ends at or before it starts")
        }
        let matchers = try StoredJSON.text(silence.matchers)
        try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM silence WHERE id = ?", arguments: [silence.id]) == true {
                throw StoreError(.refused, "there is already a silence \(silence.id)")
            }
            try db.execute(
                sql: """
                    INSERT INTO silence (id, matchers, starts_at, ends_at, created_by, comment, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    silence.id, matchers, StoreTime.milliseconds(silence.startsAt),
                    StoreTime.milliseconds(silence.endsAt), silence.createdBy, silence.comment,
                    StoreTime.milliseconds(now),
                ])
        }
    }

    /// The silences in force at `activeAt` (from `startsAt` inclusive to `endsAt` exclusive), or every
    /// silence ever made when nil, oldest start first. A silence expired early ends when it was expired,
    /// as in Alertmanager: its `endsAt` is that instant (and its start too, if it had not started yet).
    public func silences(activeAt: Date?) async throws -> [Silence] {
        try await reader.read { db in
            var sql = "SELECT * FROM silence"
            var arguments: StatementArguments = []
            if let activeAt {
                let instant = StoreTime.milliseconds(activeAt)
                sql += " WHERE starts_at <= ? AND MIN(ends_at, COALESCE(expired_at, ends_at)) > ?"
                arguments = [instant, instant]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY starts_at, id", arguments: arguments).map { row in
                let id: String = row["id"]
                let expired: Int64? = row["expired_at"]
                let ends = min(row["ends_at"] as Int64, expired ?? .max)
                return Silence(
                    id: id,
                    matchers: try StoredJSON.value(
                        [LabelMatcher].self, from: row["matchers"], what: "silence \(id)'s matchers"),
                    startsAt: StoreTime.date(min(row["starts_at"], ends)), endsAt: StoreTime.date(ends),
                    createdBy: row["created_by"], comment: row["comment"])
            }
        }
    }

    /// Ends the silence `id` at `at`, before its time, as `by` asks. The row is kept, with `expired_at` and
    /// `expired_by` set.
    ///
    /// - Returns: false when there is no such silence, or it was already over (ended or expired) at `at`.
    @discardableResult
    public func expireSilence(id: String, at: Date, by: String? = nil) async throws -> Bool {
        try await writer.write { db in
            let instant = StoreTime.milliseconds(at)
            try db.execute(
                sql: """
                    UPDATE silence SET expired_at = ?, expired_by = ?
                    WHERE id = ? AND expired_at IS NULL AND ends_at > ?
                    """,
                arguments: [instant, by, id, instant])
            return db.changesCount > 0
        }
    }

    // MARK: - Requests to a running agent

    /// Acknowledges alert `id` here and now, for a store no agent runs on (a running agent's alert loop is the
    /// only writer of alert state: leave it a request instead, ``requestAcknowledgement(alert:by:comment:at:)``).
    ///
    /// - Returns: the alert as acknowledged, or nil when the store has no such alert.
    /// - Throws: `AlertTracker.AcknowledgementError` when the alert cannot be acknowledged (pending, resolved,
    ///   already acknowledged), or the store's error.
    public func acknowledgeWithoutAgent(
        alert id: Int, by person: String, comment: String, at now: Date
    ) async throws
        -> Alert?
    {
        var tracker = try await loadAlertTracker(resolvedRetention: .seconds(900), now: now)
        let transition = try tracker.acknowledge(.id(id), by: person, comment: comment, now: now)
        guard let alert = tracker.alert(id: id) else { return nil }
        try await saveAlerts([alert], transitions: [transition])
        return alert
    }

    /// Leaves a request for the running agent to acknowledge alert `alert` as `by`.
    ///
    /// - Returns: the request's id, to wait on with ``request(id:)``.
    public func requestAcknowledgement(alert: Int, by: String, comment: String, at: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO alert_request (kind, alert_id, by, comment, requested_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    AlertRequest.Kind.acknowledge.rawValue, alert, by, comment, StoreTime.milliseconds(at),
                ])
            return Int(db.lastInsertedRowID)
        }
    }

    /// The requests not completed yet, oldest first: what the agent has to do.
    public func pendingRequests() async throws -> [AlertRequest] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert_request WHERE done_at IS NULL ORDER BY id").compactMap(
                Self.request)
        }
    }

    /// Completes request `id` at `at`: accepted when `outcome` is nil, otherwise refused with that message.
    ///
    /// The CLI withdraws a request it stopped waiting for the same way (a refusal), so the agent should
    /// acknowledge on a copy of its tracker, complete the request, and keep the copy only when this returns
    /// true: an acknowledgement then never takes effect after the person was told it did not.
    ///
    /// - Returns: false when there is no such request or it was already completed (the first outcome stands).
    @discardableResult
    public func completeRequest(id: Int, at: Date, outcome: String?) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE alert_request SET done_at = ?, outcome = ? WHERE id = ? AND done_at IS NULL",
                arguments: [StoreTime.milliseconds(at), outcome, id])
            return db.changesCount > 0
        }
    }

    /// The request with this id, as it stands.
    public func request(id: Int) async throws -> AlertRequest? {
        try await reader.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alert_request WHERE id = ?", arguments: [id]).flatMap(
                Self.request)
        }
    }

    /// A request row; nil for a kind this build does not know (a newer CLI's), which it leaves alone.
    static func request(_ row: Row) -> AlertRequest? {
        let kind: String = row["kind"]
        guard let kind = AlertRequest.Kind(rawValue: kind) else { return nil }
        let done: Int64? = row["done_at"]
        return AlertRequest(
            id: row["id"], kind: kind, alertID: row["alert_id"], by: row["by"], comment: row["comment"],
            requestedAt: StoreTime.date(row["requested_at"]), doneAt: done.map(StoreTime.date),
            outcome: row["outcome"])
    }

    // MARK: - Notifiers

    /// Stores each planner under its receiver's name (replacing the one stored), saved at `now`. Planners of
    /// receivers not given are left as they are.
    public func savePlanners(_ planners: [NotificationPlanner], at now: Date = Date()) async throws {
        let rows = try planners.map { ($0.receiver, try StoredJSON.text($0)) }
        try await writer.write { db in
            for (receiver, planner) in rows {
                try db.execute(
                    sql: """
                        INSERT INTO notifier_state (receiver, planner, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (receiver) DO UPDATE
                            SET planner = excluded.planner, updated_at = excluded.updated_at
                        """,
                    arguments: [receiver, planner, StoreTime.milliseconds(now)])
            }
        }
    }

    /// The stored planners by receiver name.
    public func loadPlanners() async throws -> [String: NotificationPlanner] {
        try await reader.read { db in
            var planners: [String: NotificationPlanner] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT receiver, planner FROM notifier_state") {
                let receiver: String = row["receiver"]
                planners[receiver] = try StoredJSON.value(
                    NotificationPlanner.self, from: row["planner"], what: "receiver \(receiver)'s planner")
            }
            return planners
        }
    }

    /// Counts one send to `receiver` at `at`: a success, or a failure with its `error`.
    public func recordDelivery(receiver: String, success: Bool, at: Date, error: String?) async throws {
        let instant = StoreTime.milliseconds(at)
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO notifier_delivery (receiver, sent, failed, last_success_at, last_failure_at, last_error)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (receiver) DO UPDATE SET sent = sent + excluded.sent, failed = failed + excluded.failed,
                        last_success_at = COALESCE(excluded.last_success_at, last_success_at),
                        last_failure_at = COALESCE(excluded.last_failure_at, last_failure_at),
                        last_error = CASE WHEN excluded.failed > 0 THEN excluded.last_error ELSE last_error END
                    """,
                arguments: [
                    receiver, success ? 1 : 0, success ? 0 : 1, success ? instant : nil, success ? nil : instant,
                    success ? nil : error,
                ])
        }
    }

    /// Every receiver's counters, by name.
    public func deliveries() async throws -> [ReceiverDelivery] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notifier_delivery ORDER BY receiver").map { row in
                let success: Int64? = row["last_success_at"]
                let failure: Int64? = row["last_failure_at"]
                return ReceiverDelivery(
                    receiver: row["receiver"], sent: row["sent"], failed: row["failed"],
                    lastSuccessAt: success.map(StoreTime.date), lastFailureAt: failure.map(StoreTime.date),
                    lastError: row["last_error"])
            }
        }
    }
}

/// How the store writes the alert layer's values as JSON: sorted keys, dates as Foundation's own numbers
/// (exact, so a restored value equals the saved one).
enum StoredJSON {
    static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `text` decoded, or a ``StoreError`` naming `what` could not be read.
    static func value<T: Decodable>(_ type: T.Type, from text: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(.unreadableRecord, "\(what) cannot be read: \(error)")
        }
    }
}
