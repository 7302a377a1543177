public import Foundation
import StockpileDomain

/// Judges every rule against one observation: a pure function of the configuration, the
/// observation and the instant.
///
/// Every subject a rule watches gets a condition, holding or not, so that the tracker can tell a
/// cleared condition (`inactive`) from one it cannot judge (`unknown`). A threshold, rate or status
/// rule on a device that is offline, or a point that is missing, stale or bad, is `unknown`: no
/// data never resolves an alert (the Prometheus trap, prometheus/alertmanager#2264); the no-data
/// rules say it instead.
public struct AlertEvaluator: Sendable {
    /// The labels and fingerprint of one subject of a rule: fixed by the configuration, so computed once.
    struct Identity: Hashable, Sendable {
        var labels: [String: String]
        var fingerprint: String

        init(_ labels: [String: String]) {
            self.labels = labels
            self.fingerprint = AlertLabels.fingerprint(labels)
        }
    }

    /// The rules and the site context they are judged with.
    public let configuration: AlertConfiguration
    /// Each rule's subjects, in `configuration.rules` order.
    private let identities: [[Identity]]
    /// The fingerprints whose inactive or unknown conditions still get a summary (nil: every condition).
    private var summarized: Set<String>?

    /// An evaluator for a configuration; every subject's labels and fingerprint are computed here, once.
    public init(configuration: AlertConfiguration) {
        self.configuration = configuration
        self.identities = configuration.rules.map { Self.identities(of: $0, in: configuration) }
    }

    /// The conditions of every rule at `now`, the summaries of inactive and unknown ones only for
    /// `open` (the fingerprints of the alerts that are open): nobody reads the others, and a site has
    /// thousands of subjects, nearly all quiet.
    public func evaluate(_ observation: AlertObservation, now: Date, summarizing open: Set<String>) -> [AlertCondition]
    {
        var evaluator = self
        evaluator.summarized = open
        return evaluator.evaluate(observation, now: now)
    }

    /// The conditions of every rule at `now`.
    public func evaluate(_ observation: AlertObservation, now: Date) -> [AlertCondition] {
        var result: [AlertCondition] = []
        for (rule, subjects) in zip(configuration.rules, identities) {
            result += evaluate(rule, subjects, observation, now: now)
        }
        return result
    }

    /// The conditions of one rule at `now`.
    public func evaluate(_ rule: AlertRule, _ observation: AlertObservation, now: Date) -> [AlertCondition] {
        evaluate(rule, Self.identities(of: rule, in: configuration), observation, now: now)
    }

    private func evaluate(
        _ rule: AlertRule, _ subjects: [Identity], _ observation: AlertObservation, now: Date
    )
        -> [AlertCondition]
    {
        switch rule.kind {
        case .threshold(let point, let level, _):
            subjects.map { threshold(rule, $0, point: point, level: level, observation) }
        case .rate(let point, let level, let window, _):
            subjects.map { rate(rule, $0, point: point, level: level, window: window, observation, now: now) }
        case .offline:
            subjects.map { offline(rule, $0, observation) }
        case .stale(let point, _):
            subjects.map { stale(rule, $0, point: point, observation) }
        case .busOffline:
            subjects.map { busOffline(rule, $0, observation) }
        case .deviceStatus(let flags, let badPoints, _):
            subjects.map { deviceStatus(rule, $0, flags: flags, badPoints: badPoints, observation) }
        case .ledger:
            subjects.map { ledger(rule, $0, observation) }
        case .door(let door):
            subjects.map { self.door(rule, $0, door, observation, now: now) }
        case .materialHumidity(let point, let margin, _):
            subjects.map { materialHumidity(rule, $0, point: point, margin: margin, observation) }
        }
    }

    // MARK: - Labels

    /// Every subject of a rule, in evaluation order, with its labels: `alertname`, `severity`, `site`, and
    /// the subject's `device`, `bus`, `zone`, `location`, `point`, `limit`, `event` as they apply.
    static func identities(of rule: AlertRule, in configuration: AlertConfiguration) -> [Identity] {
        func labels(device: String? = nil, point: String? = nil) -> [String: String] {
            var labels = ["alertname": rule.name, "severity": rule.severity.rawValue]
            if !configuration.site.isEmpty { labels["site"] = configuration.site }
            if let device {
                labels["device"] = device
                if let context = configuration.devices[device] {
                    labels["bus"] = context.bus
                    if let zone = context.zone { labels["zone"] = zone }
                    if let location = context.location { labels["location"] = location }
                }
            }
            if let point { labels["point"] = point }
            return labels
        }
        func with(_ labels: [String: String], _ extra: [String: String]) -> Identity {
            Identity(labels.merging(extra) { _, new in new })
        }
        switch rule.kind {
        case .threshold(let point, let level, let devices):
            return devices.map { with(labels(device: $0, point: point), ["limit": level.text]) }
        case .rate(let point, let level, _, let devices):
            return devices.map { with(labels(device: $0, point: point), ["limit": rateText(level)]) }
        case .offline(let devices), .deviceStatus(_, _, let devices):
            return devices.map { Identity(labels(device: $0)) }
        case .stale(let point, let devices), .materialHumidity(let point, _, let devices):
            return devices.map { Identity(labels(device: $0, point: point)) }
        case .busOffline(let buses):
            return buses.map { with(labels(), ["bus": $0]) }
        case .ledger(let events, let locations):
            let watched = locations.isEmpty ? Set(configuration.locations.keys) : locations
            var result: [Identity] = []
            for location in watched.sorted() {
                for kind in events.sorted(by: { $0.rawValue < $1.rawValue }) {
                    var extra = ["location": location, "event": kind.rawValue]
                    if let context = configuration.locations[location] {
                        if let zone = context.zone { extra["zone"] = zone }
                        if let device = context.device { extra["device"] = device }
                    }
                    result.append(with(labels(), extra))
                }
            }
            return result
        case .door(let door):
            return [Identity(labels(device: door.device, point: door.point))]
        }
    }

    /// `rising faster than 3/h` or `falling faster than 5/h`.
    static func rateText(_ level: ThresholdLevel) -> String {
        level.direction == .above
            ? "rising faster than \(AlertText.number(level.limit))/h"
            : "falling faster than \(AlertText.number(-level.limit))/h"
    }

    private func condition(
        _ rule: AlertRule, _ identity: Identity, _ status: AlertCondition.Status, since: Date? = nil,
        value: Double? = nil, summary: @autoclosure () -> String
    ) -> AlertCondition {
        let wanted =
            status == .active || status == .band || summarized.map { $0.contains(identity.fingerprint) } ?? true
        return AlertCondition(
            rule: rule.name, isNoData: rule.isNoData, labels: identity.labels, fingerprint: identity.fingerprint,
            severity: rule.severity, timing: rule.timing, status: status, activeSince: status == .active ? since : nil,
            value: value, summary: wanted ? summary() : "")
    }

    /// The point's usable value, or nil (device missing or offline, point missing or not good).
    private func usable(_ device: String, _ point: String, _ observation: AlertObservation) -> Double? {
        guard let observed = observation.devices[device], observed.health != .offline,
            let reading = observed.points[point], reading.isUsable
        else { return nil }
        return reading.value
    }

    private static func status(_ verdict: ThresholdLevel.Verdict) -> AlertCondition.Status {
        switch verdict {
        case .beyond: .active
        case .band: .band
        case .clear: .inactive
        }
    }

    // MARK: - Kinds

    private func threshold(
        _ rule: AlertRule, _ labels: Identity, point: String, level: ThresholdLevel, _ observation: AlertObservation
    ) -> AlertCondition {
        let device = labels.labels["device"] ?? ""
        guard let value = usable(device, point, observation) else {
            return condition(rule, labels, .unknown, summary: "\(point) of \(device): no usable reading")
        }
        return condition(
            rule, labels, Self.status(level.judge(value)), value: value,
            summary: "\(point) of \(device) is \(AlertText.number(value)), limit \(level.text)"
                + (level.clearMargin > 0 ? " (clears at \(AlertText.number(level.clearingLevel)))" : ""))
    }

    private func rate(
        _ rule: AlertRule, _ labels: Identity, point: String, level: ThresholdLevel, window: Duration,
        _ observation: AlertObservation, now: Date
    ) -> AlertCondition {
        let device = labels.labels["device"] ?? ""
        let limitText = labels.labels["limit"] ?? Self.rateText(level)
        let seconds = window.timeInterval
        guard let observed = observation.devices[device], observed.health != .offline,
            let reading = observed.points[point],
            let perHour = Self.slopePerHour(
                reading.history, from: now.addingTimeInterval(-seconds), to: now, span: seconds / 2)
        else {
            return condition(rule, labels, .unknown, summary: "\(point) of \(device): too few good readings for a rate")
        }
        return condition(
            rule, labels, Self.status(level.judge(perHour)), value: perHour,
            summary: "\(point) of \(device) changes by \(AlertText.number(perHour))/h, limit \(limitText)")
    }

    /// The least-squares slope per hour of the samples within [from, to]; nil with fewer than two
    /// samples or when they span less than `span` seconds.
    static func slopePerHour(_ samples: [AlertObservation.Sample], from: Date, to: Date, span: Double) -> Double? {
        // Three passes over the samples in the window, nothing allocated: a rate rule runs on every
        // subject every tick, over a window's worth of history each.
        var count = 0
        var first = Date.distantFuture
        var last = Date.distantPast
        var valueSum = 0.0
        for sample in samples where sample.at >= from && sample.at <= to {
            count += 1
            first = min(first, sample.at)
            last = max(last, sample.at)
            valueSum += sample.value
        }
        guard count >= 2, last.timeIntervalSince(first) >= span else { return nil }
        var timeSum = 0.0
        for sample in samples where sample.at >= from && sample.at <= to {
            timeSum += sample.at.timeIntervalSince(first) / 3600
        }
        let meanTime = timeSum / Double(count)
        let meanValue = valueSum / Double(count)
        var covariance = 0.0
        var variance = 0.0
        for sample in samples where sample.at >= from && sample.at <= to {
            let time = sample.at.timeIntervalSince(first) / 3600
            covariance += (time - meanTime) * (sample.value - meanValue)
            variance += (time - meanTime) * (time - meanTime)
        }
        return variance > 0 ? covariance / variance : nil
    }

    private func offline(_ rule: AlertRule, _ labels: Identity, _ observation: AlertObservation) -> AlertCondition {
        let device = labels.labels["device"] ?? ""
        guard let observed = observation.devices[device] else {
            return condition(rule, labels, .unknown, summary: "\(device): not polled yet")
        }
        guard observed.health == .offline else {
            return condition(rule, labels, .inactive, summary: "\(device) answers (\(observed.health.rawValue))")
        }
        return condition(rule, labels, .active, since: observed.since, summary: "\(device) does not answer")
    }

    private func stale(
        _ rule: AlertRule, _ labels: Identity, point: String, _ observation: AlertObservation
    )
        -> AlertCondition
    {
        let device = labels.labels["device"] ?? ""
        guard let observed = observation.devices[device], observed.health != .offline,
            let reading = observed.points[point]
        else { return condition(rule, labels, .unknown, summary: "\(point) of \(device): device not answering") }
        // A bad value is fresh: the device answers and says what is wrong (a `device_status` rule's business).
        guard reading.isStale else {
            return condition(rule, labels, .inactive, value: reading.value, summary: "\(point) of \(device) is fresh")
        }
        return condition(
            rule, labels, .active, since: reading.lastFreshAt ?? reading.at,
            summary: "\(point) of \(device) has no fresh value (\(reading.quality.rawValue))")
    }

    private func busOffline(_ rule: AlertRule, _ labels: Identity, _ observation: AlertObservation) -> AlertCondition {
        let bus = labels.labels["bus"] ?? ""
        let members = configuration.busDevices[bus] ?? []
        let observed = members.compactMap { observation.devices[$0] }
        guard !members.isEmpty, observed.count == members.count else {
            return condition(rule, labels, .unknown, summary: "bus \(bus): not every device polled yet")
        }
        guard observed.allSatisfy({ $0.health == .offline }), let since = observed.map(\.since).max() else {
            return condition(rule, labels, .inactive, summary: "bus \(bus): some device answers")
        }
        return condition(
            rule, labels, .active, since: since, value: Double(members.count),
            summary: "bus \(bus): none of its \(members.count) devices answers")
    }

    private func deviceStatus(
        _ rule: AlertRule, _ labels: Identity, flags: Set<String>, badPoints: Set<String>,
        _ observation: AlertObservation
    ) -> AlertCondition {
        let device = labels.labels["device"] ?? ""
        guard let observed = observation.devices[device], observed.health != .offline else {
            return condition(rule, labels, .unknown, summary: "\(device): no status reading")
        }
        let set = observed.activeFlags.intersection(flags).sorted()
        let bad = badPoints.filter { observed.points[$0]?.quality == .bad }.sorted()
        guard !set.isEmpty || !bad.isEmpty else {
            return condition(rule, labels, .inactive, summary: "\(device): status normal")
        }
        var parts: [String] = []
        if !set.isEmpty { parts.append("flags \(set.joined(separator: ", "))") }
        if !bad.isEmpty { parts.append("bad \(bad.joined(separator: ", "))") }
        return condition(rule, labels, .active, summary: "\(device) reports \(parts.joined(separator: "; "))")
    }

    private func ledger(_ rule: AlertRule, _ labels: Identity, _ observation: AlertObservation) -> AlertCondition {
        let location = labels.labels["location"] ?? ""
        let kind = labels.labels["event"].flatMap(LedgerEventKind.init(rawValue:))
        guard observation.ledgerKnown else {
            return condition(rule, labels, .unknown, summary: "\(location): ledger not read yet")
        }
        let open = observation.ledgerEvents.filter { $0.kind == kind && $0.location == location }
        let name = (kind?.rawValue ?? "?").replacingOccurrences(of: "_", with: " ")
        guard let largest = open.max(by: { abs($0.kilograms) < abs($1.kilograms) }),
            let since = open.map(\.since).min()
        else { return condition(rule, labels, .inactive, summary: "\(location): no open \(name)") }
        let detail = largest.detail.isEmpty ? "\(AlertText.number(largest.kilograms)) kg" : largest.detail
        let more = open.count > 1 ? " and \(open.count - 1) more" : ""
        return condition(
            rule, labels, .active, since: since, value: largest.kilograms,
            summary: "\(name) at \(location): \(detail)\(more)")
    }

    private func door(
        _ rule: AlertRule, _ labels: Identity, _ door: AlertRule.DoorRule, _ observation: AlertObservation, now: Date
    )
        -> AlertCondition
    {
        guard let observed = observation.devices[door.device], observed.health != .offline,
            let reading = observed.points[door.point], reading.isUsable, let value = reading.value
        else { return condition(rule, labels, .unknown, summary: "\(door.point) of \(door.device): no usable reading") }
        let open = (value != 0) == door.openWhen
        guard open else { return condition(rule, labels, .inactive, value: 0, summary: "\(door.point) is closed") }
        let since = reading.since ?? reading.at
        let openFor = now.timeIntervalSince(since)
        if let limit = door.openLongerThan, openFor >= limit.timeInterval {
            return condition(
                rule, labels, .active, since: since.addingTimeInterval(limit.timeInterval), value: 1,
                summary: "\(door.point) open for \(DurationText.describeSeconds(openFor)), "
                    + "limit \(DurationText.describe(limit))")
        }
        if let schedule = door.schedule, !schedule.allowsOpen(at: now) {
            return condition(rule, labels, .active, value: 1, summary: "\(door.point) open outside its schedule")
        }
        return condition(rule, labels, .inactive, value: 1, summary: "\(door.point) open within limits")
    }

    private func materialHumidity(
        _ rule: AlertRule, _ labels: Identity, point: String, margin: Double, _ observation: AlertObservation
    ) -> AlertCondition {
        let device = labels.labels["device"] ?? ""
        guard let zone = configuration.devices[device]?.zone, let limit = observation.materialHumidityLimits[zone]
        else {
            return condition(rule, labels, .inactive, summary: "\(device): no hygroscopic material in its zone")
        }
        // The limit is not a label: it follows the stored material, and a new limit is the same alert.
        let level = ThresholdLevel(.above, limit, clearMargin: margin)
        guard let value = usable(device, point, observation) else {
            return condition(rule, labels, .unknown, summary: "\(point) of \(device): no usable reading")
        }
        let summary =
            "\(point) in \(zone) is \(AlertText.number(value)), "
            + "limit \(AlertText.number(limit)) of the material stored there "
            + "(clears at \(AlertText.number(level.clearingLevel)))"
        return condition(rule, labels, Self.status(level.judge(value)), value: value, summary: summary)
    }
}
