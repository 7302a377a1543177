public import Foundation

/// Every alert's lifecycle, as a value: fed the evaluator's conditions, it returns the transitions
/// that happened; acknowledged by id or fingerprint; `Codable`, so a restarted agent restores it.
///
/// - `pending` → `firing` once the condition has held for the rule's `for` (counted from the
///   condition's own `activeSince` when it has one, so a restart does not restart the clock);
///   a rule without `for` fires on its first evaluation.
/// - `band` (between a threshold's clearing level and its limit) keeps whatever holds: an open
///   alert stays open, including a pending one, which still fires after `for`; none starts.
/// - `inactive` clears a pending alert (to `inactive`, never notified) and resolves a firing or
///   acknowledged one once the condition was last seen `keep_firing_for` ago and the alert has
///   fired for at least `min_firing`.
/// - `unknown`, and a fingerprint missing from the conditions, change nothing.
/// - A condition that holds again after resolving is a new occurrence: a new id, the same fingerprint.
///
/// Restoring: decode the tracker (or `init(alerts:)` with the store's open and recently resolved
/// alerts); the next `update` carries on where the last one stopped, so nothing is lost and no
/// transition is repeated. Notification state is the planners' own, restored beside it.
public struct AlertTracker: Hashable, Sendable, Codable {
    /// Open alerts, and resolved ones until `resolvedRetention` has passed (receivers need them to send
    /// the resolution), in id order.
    public private(set) var alerts: [Alert]
    /// The id the next alert gets.
    public private(set) var nextID: Int
    /// How long a resolved alert stays in `alerts` (Prometheus keeps them 15 minutes).
    public var resolvedRetention: Duration

    /// An empty tracker, or one restored from stored alerts; ids continue after the highest one given
    /// (and after `nextID` when given).
    public init(alerts: [Alert] = [], nextID: Int = 1, resolvedRetention: Duration = .seconds(900)) {
        self.alerts = alerts.sorted { $0.id < $1.id }
        self.nextID = max(nextID, (alerts.map(\.id).max() ?? 0) + 1)
        self.resolvedRetention = resolvedRetention
    }

    /// The open alert with this fingerprint, if any.
    public func openAlert(fingerprint: String) -> Alert? {
        alerts.last { $0.fingerprint == fingerprint && $0.state.isOpen }
    }

    /// The alert with this id, if the tracker still holds it.
    public func alert(id: Int) -> Alert? {
        alerts.first { $0.id == id }
    }

    /// Applies one evaluation's conditions at `now` and returns the transitions, in order.
    public mutating func update(conditions: [AlertCondition], now: Date) -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        // Only the open alerts' conditions are looked up: a site has thousands of subjects and few alerts.
        var open: Set<String> = []
        for alert in alerts where alert.state.isOpen { open.insert(alert.fingerprint) }
        var byFingerprint: [String: AlertCondition] = [:]
        byFingerprint.reserveCapacity(open.count)
        for condition in conditions where open.contains(condition.fingerprint) {
            byFingerprint[condition.fingerprint] = condition
        }
        for index in alerts.indices where alerts[index].state.isOpen {
            guard let condition = byFingerprint[alerts[index].fingerprint] else { continue }
            if let transition = Self.step(&alerts[index], condition, now: now) { transitions.append(transition) }
        }
        for condition in conditions where condition.status == .active && !open.contains(condition.fingerprint) {
            open.insert(condition.fingerprint)
            transitions += start(condition, now: now)
        }
        let retention = resolvedRetention.timeInterval
        alerts.removeAll { alert in
            alert.state == .inactive
                || (alert.state == .resolved && (alert.endsAt.map { now.timeIntervalSince($0) > retention } ?? true))
        }
        return transitions
    }

    /// Closes the open alerts whose fingerprints the evaluator no longer produces (their rule was removed or
    /// changed, or their device left the site): pending ones go inactive, firing and acknowledged ones
    /// resolve, with `reason` as the transition's comment. Call it after loading a new configuration,
    /// with the fingerprints of one evaluation under it; otherwise such alerts would stay open forever,
    /// since a missing condition changes nothing.
    public mutating func retire(keeping fingerprints: Set<String>, now: Date, reason: String) -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        for index in alerts.indices
        where alerts[index].state.isOpen && !fingerprints.contains(alerts[index].fingerprint) {
            let target: AlertState = alerts[index].state == .pending ? .inactive : .resolved
            transitions.append(Self.move(&alerts[index], to: target, at: now, value: nil, comment: reason))
        }
        alerts.removeAll { $0.state == .inactive }
        return transitions
    }

    /// A new occurrence: pending, or straight to firing when its `for` has already run out.
    private mutating func start(_ condition: AlertCondition, now: Date) -> [AlertTransition] {
        let since = min(condition.activeSince ?? now, now)
        var alert = Alert(
            id: nextID, fingerprint: condition.fingerprint, rule: condition.rule, isNoData: condition.isNoData,
            labels: condition.labels, severity: condition.severity, timing: condition.timing, state: .inactive,
            activeSince: since, lastActiveAt: now, peakValue: condition.value, lastValue: condition.value,
            summary: condition.summary)
        nextID += 1
        let firesNow = now.timeIntervalSince(since) >= condition.timing.pendingFor.timeInterval
        let transition = Self.move(&alert, to: firesNow ? .firing : .pending, at: now, value: condition.value)
        alerts.append(alert)
        return [transition]
    }

    /// One open alert against its condition.
    private static func step(_ alert: inout Alert, _ condition: AlertCondition, now: Date) -> AlertTransition? {
        if condition.status != .unknown {
            alert.summary = condition.summary
            if let value = condition.value {
                alert.lastValue = value
                alert.peakValue = peak(alert.peakValue, value, limit: alert.labels["limit"])
            }
        }
        switch condition.status {
        case .active, .band:
            alert.lastActiveAt = now
            guard alert.state == .pending,
                now.timeIntervalSince(alert.activeSince) >= alert.timing.pendingFor.timeInterval
            else { return nil }
            return move(&alert, to: .firing, at: now, value: condition.value)
        case .inactive:
            if alert.state == .pending { return move(&alert, to: .inactive, at: now, value: condition.value) }
            let quiet = now.timeIntervalSince(alert.lastActiveAt) >= alert.timing.keepFiringFor.timeInterval
            let firedLongEnough =
                now.timeIntervalSince(alert.startsAt ?? alert.activeSince) >= alert.timing.minimumFiring.timeInterval
            guard quiet, firedLongEnough else { return nil }
            return move(&alert, to: .resolved, at: now, value: condition.value)
        case .unknown:
            return nil
        }
    }

    private static func peak(_ current: Double?, _ value: Double, limit: String?) -> Double {
        guard let current else { return value }
        if limit?.hasPrefix("below") == true || limit?.hasPrefix("falling") == true { return min(current, value) }
        if limit?.hasPrefix("above") == true || limit?.hasPrefix("rising") == true { return max(current, value) }
        return abs(value) > abs(current) ? value : current
    }

    @discardableResult
    private static func move(
        _ alert: inout Alert, to state: AlertState, at now: Date, value: Double?, by: String? = nil,
        comment: String? = nil
    ) -> AlertTransition {
        let transition = AlertTransition(
            alertID: alert.id, fingerprint: alert.fingerprint, rule: alert.rule, from: alert.state, to: state, at: now,
            value: value, by: by, comment: comment)
        switch state {
        case .firing where alert.startsAt == nil:
            alert.startsAt = now
            alert.triggeringValue = value
        case .resolved, .inactive: alert.endsAt = now
        default: break
        }
        alert.state = state
        alert.history.append(transition)
        return transition
    }

    // MARK: - Acknowledgement

    /// Which alert an acknowledgement is for.
    public enum Reference: Hashable, Sendable, CustomStringConvertible {
        /// The alert with this id.
        case id(Int)
        /// The open occurrence with this fingerprint.
        case fingerprint(String)

        /// `#12` or the fingerprint.
        public var description: String {
            switch self {
            case .id(let id): "#\(id)"
            case .fingerprint(let fingerprint): fingerprint
            }
        }
    }

    /// Why an acknowledgement was refused.
    public struct AcknowledgementError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The alert as the caller named it.
        public var reference: String
        /// Why it was refused.
        public var message: String

        /// `#12: is resolved …`.
        public var description: String { "\(reference): \(message)" }
    }

    /// Takes a firing alert on: it stays firing for the record (and the beacon goes off), reminders stop.
    /// Refused for an unknown, pending, resolved or already acknowledged alert, and without a name.
    public mutating func acknowledge(
        _ reference: Reference, by person: String, comment: String, now: Date
    )
        throws(AcknowledgementError) -> AlertTransition
    {
        let index: Int?
        switch reference {
        case .id(let id): index = alerts.firstIndex { $0.id == id }
        case .fingerprint(let fingerprint):
            index =
                alerts.lastIndex { $0.fingerprint == fingerprint && $0.state.isOpen }
                ?? alerts.lastIndex { $0.fingerprint == fingerprint }
        }
        func refuse(_ message: String) -> AcknowledgementError {
            AcknowledgementError(reference: reference.description, message: message)
        }
        guard let index else { throw refuse("no such alert (open or recently resolved)") }
        guard person.contains(where: { !$0.isWhitespace }) else { throw refuse("say who acknowledges it") }
        switch alerts[index].state {
        case .firing: break
        case .acknowledged:
            let previous = alerts[index].acknowledgement
            throw refuse("already acknowledged by \(previous?.by ?? "?")")
        case .pending: throw refuse("is still pending: nobody has been told yet")
        case .resolved, .inactive: throw refuse("is \(alerts[index].state.rawValue)")
        }
        alerts[index].acknowledgement = Alert.Acknowledgement(by: person, at: now, comment: comment)
        return Self.move(
            &alerts[index], to: .acknowledged, at: now, value: alerts[index].lastValue, by: person, comment: comment)
    }
}
