public import Foundation

/// One receiver's notification state, as a value: which groups exist, what each was last told,
/// and when it may be told again. `Codable`, so a restarted agent neither repeats nor forgets.
///
/// Driving it: every evaluation, `due(alerts:suppression:now:)` returns the notifications to send
/// now and marks them in flight; the sender reports each outcome with `noteSuccess` or
/// `noteFailure`. A group in flight is not planned again until its outcome is known.
///
/// The rules are Alertmanager's [src: prometheus/alertmanager docs/configuration.md, `route`]:
/// - a group is born when its first alert fired and is first sent `group_wait` later; an alert that
///   resolves before that is never sent;
/// - a change (an alert firing that the receiver has not been told of, or one it was told of
///   resolving) is sent `group_interval` after the previous message;
/// - an unchanged group is sent again `repeat_interval` after the previous message while an
///   unacknowledged alert fires (acknowledged ones too for an Alertmanager receiver);
/// - a resolution is sent once (unless `send_resolved` is off); alerts of other severities,
///   pending ones, and suppressed ones (silenced, inhibited) are left out;
/// - a failed send is retried after `retry.initial`, doubling up to `retry.max`.
public struct NotificationPlanner: Hashable, Sendable, Codable {
    /// What one group's receiver has heard.
    public struct Group: Hashable, Sendable, Codable {
        /// The `group_by` labels' values.
        public var labels: [String: String]
        /// When the group's first alert fired: `group_wait` counts from here.
        public var createdAt: Date
        /// When the last message got through.
        public var lastSentAt: Date?
        /// The alerts the receiver was last told fire, by id.
        public var toldFiring: Set<Int>
        /// What the message in flight tells: firing ids and resolved ids.
        public var inFlight: InFlight?
        /// Failed attempts in a row.
        public var failures: Int
        /// No attempt before this instant (back-off).
        public var retryAt: Date?
    }

    /// The content of a message awaiting its outcome.
    public struct InFlight: Hashable, Sendable, Codable {
        /// Alerts the message says fire.
        public var firing: Set<Int>
        /// Alerts the message says resolved.
        public var resolved: Set<Int>
    }

    /// The receiver's name.
    public var receiver: String
    /// The receiver's grouping, pacing and retries.
    public var policy: NotificationPolicy
    /// Groups by key.
    public private(set) var groups: [String: Group]

    /// A planner for one receiver.
    public init(receiver: AlertReceiver) {
        self.init(receiver: receiver.name, policy: receiver.policy)
    }

    /// A planner from a receiver's name and policy.
    public init(receiver: String, policy: NotificationPolicy) {
        self.receiver = receiver
        self.policy = policy
        self.groups = [:]
    }

    /// After a restart: what was in flight when the agent stopped is taken as not delivered, so it is
    /// sent again (at least once); everything else carries on as stored.
    public mutating func resumeAfterRestart() {
        for key in groups.keys { groups[key]?.inFlight = nil }
    }

    /// The group key and labels of an alert under this policy.
    public func group(of labels: [String: String]) -> (key: String, labels: [String: String]) {
        let chosen: [String: String]
        if policy.groupBy == [NotificationPolicy.everyLabel] {
            chosen = labels
        } else {
            chosen = labels.filter { policy.groupBy.contains($0.key) }
        }
        let pairs = chosen.keys.sorted().map { "\($0)=\"\(chosen[$0]!)\"" }.joined(separator: ", ")
        return ("{}:{\(pairs)}", chosen)
    }

    /// The notifications due at `now`, each marked in flight until `noteSuccess` or `noteFailure`.
    public mutating func due(alerts: [Alert], suppression: AlertSuppression, now: Date) -> [AlertNotification] {
        var members: [String: [Alert]] = [:]
        for alert in alerts where policy.severities.contains(alert.severity) && !suppression.isSuppressed(alert) {
            guard alert.state.isFiring || alert.state == .resolved else { continue }
            let (key, labels) = group(of: alert.labels)
            if alert.state.isFiring, groups[key] == nil {
                // Born when its first alert fired, however late the planner first sees it.
                groups[key] = Group(
                    labels: labels, createdAt: min(alert.startsAt ?? now, now), toldFiring: [], failures: 0)
            }
            members[key, default: []].append(alert)
        }
        var result: [AlertNotification] = []
        for key in groups.keys.sorted() {
            guard var group = groups[key] else { continue }
            let current = members[key] ?? []
            let firing = current.filter { $0.state.isFiring }
            // Resolutions to tell: alerts the receiver was told fire, resolved now.
            let resolved = current.filter { $0.state == .resolved && group.toldFiring.contains($0.id) }
            // Alerts told firing that are gone (silenced, pruned) drop out without a message.
            let present = Set(current.map(\.id))
            group.toldFiring.formIntersection(present)
            let firingIDs = Set(firing.map(\.id))
            if firingIDs.isEmpty, resolved.isEmpty || !policy.sendResolved {
                if group.inFlight == nil {
                    groups[key] = nil
                } else {
                    groups[key] = group
                }
                continue
            }
            defer { groups[key] = group }
            guard group.inFlight == nil else { continue }
            if let retryAt = group.retryAt, now < retryAt { continue }
            let changed = !firingIDs.subtracting(group.toldFiring).isEmpty || (policy.sendResolved && !resolved.isEmpty)
            let reason: AlertNotification.Reason
            if group.failures > 0 {
                reason = .retry
            } else if let last = group.lastSentAt {
                let since = now.timeIntervalSince(last)
                let remindable = firing.contains { $0.state == .firing || policy.repeatAcknowledged }
                if changed, since >= policy.groupInterval.timeInterval {
                    reason = .change
                } else if remindable, since >= policy.repeatInterval.timeInterval {
                    reason = .reminder
                } else {
                    continue
                }
            } else {
                guard !firingIDs.isEmpty, now.timeIntervalSince(group.createdAt) >= policy.groupWait.timeInterval else {
                    continue
                }
                reason = .first
            }
            let told = policy.sendResolved ? resolved : []
            group.inFlight = InFlight(firing: firingIDs, resolved: Set(told.map(\.id)))
            result.append(
                AlertNotification(
                    receiver: receiver, groupKey: key, groupLabels: group.labels,
                    alerts: firing.sorted { $0.id < $1.id } + told.sorted { $0.id < $1.id }, reason: reason,
                    attempt: group.failures + 1))
        }
        return result
    }

    /// The notification for `groupKey` got through at `now`.
    public mutating func noteSuccess(groupKey: String, now: Date) {
        guard var group = groups[groupKey], let sent = group.inFlight else { return }
        group.toldFiring = sent.firing
        group.lastSentAt = now
        group.inFlight = nil
        group.failures = 0
        group.retryAt = nil
        groups[groupKey] = group
    }

    /// The notification for `groupKey` failed at `now`: it is retried after the back-off.
    public mutating func noteFailure(groupKey: String, now: Date) {
        guard var group = groups[groupKey], group.inFlight != nil else { return }
        group.inFlight = nil
        group.failures += 1
        group.retryAt = now.addingTimeInterval(policy.retryDelay(afterFailures: group.failures).timeInterval)
        groups[groupKey] = group
    }
}
