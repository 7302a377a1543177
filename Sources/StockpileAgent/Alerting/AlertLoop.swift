public import Foundation
public import Logging
import Metrics
public import StockpileAlerts
public import StockpileDomain
import StockpileLedger
public import StockpileStore

/// One site's alerting, tick by tick: what the pollers saw and the ledger's open events become
/// conditions, the tracker turns them into alerts, every transition is logged and stored, each
/// receiver's planner says what to send, and the beacon follows the critical alerts.
///
/// Every step takes its instant from the caller, so a test drives it on synthetic or compressed time.
/// Sending is not done here: due notifications go to `dispatch`, and the outcome comes back through
/// `delivered`, so a slow receiver never holds up a tick.
public actor AlertLoop {
    public let configuration: AlertConfiguration
    private let site: SiteConfiguration
    private let database: AppDatabase
    private let observations: LiveObservations
    private let evaluator: AlertEvaluator
    private let logger: Logger
    private let beacon: (@Sendable (Bool) async -> String?)?
    private let dispatch: @Sendable (AlertNotification) -> Void

    private var tracker = AlertTracker()
    private var planners: [String: NotificationPlanner] = [:]
    private var savedPlanners: [String: NotificationPlanner] = [:]
    private var restored = false
    private var ledgerEvents: [AlertObservation.LedgerEvent] = []
    private var reconciliationEvents: [AlertObservation.LedgerEvent] = []
    private var materialLimits: [String: Double] = [:]
    private var ledgerKnown = false
    private var ledgerReadAt: Date?
    /// The ledger's size when the material limits were last read: (transactions, lots, materials).
    private var limitsHead: AppDatabase.LedgerHead?
    private var reconciledAt: Date?
    private var beaconState: Bool?
    private var beaconRetryAt: Date?

    /// How often the ledger's open events and the zones' material limits are read again.
    public static let ledgerInterval: TimeInterval = 10
    /// How often the site is reconciled for `reconciliation_outside_tolerance`.
    public static let reconciliationInterval: TimeInterval = 300
    /// How long after a failed beacon write the next is tried.
    public static let beaconRetry: TimeInterval = 10

    /// - Parameters:
    ///   - beacon: sets the beacon's coil; nil when the site names no beacon. Returns nil or what went wrong.
    ///   - dispatch: hands a due notification to its receiver's sender.
    public init(
        configuration: AlertConfiguration, site: SiteConfiguration, database: AppDatabase,
        observations: LiveObservations, logger: Logger, beacon: (@Sendable (Bool) async -> String?)?,
        dispatch: @escaping @Sendable (AlertNotification) -> Void
    ) {
        self.configuration = configuration
        self.site = site
        self.database = database
        self.observations = observations
        self.evaluator = AlertEvaluator(configuration: configuration)
        self.logger = logger
        self.beacon = beacon
        self.dispatch = dispatch
    }

    /// The alerts as the tracker has them now.
    public var alerts: [Alert] { tracker.alerts }

    /// Whether the beacon was last set on (nil before the first write).
    public var beaconLit: Bool? { beaconState }

    /// Restores the alerts and the planners from the store: a restarted agent neither loses an alert nor
    /// tells a receiver again what it was told.
    public func restore(now: Date) async throws {
        tracker = try await database.loadAlertTracker(resolvedRetention: tracker.resolvedRetention)
        let stored = try await database.loadPlanners()
        for receiver in configuration.receivers where receiver.kind != .log {
            var planner = stored[receiver.name] ?? NotificationPlanner(receiver: receiver)
            planner.policy = receiver.policy
            planner.resumeAfterRestart()
            planners[receiver.name] = planner
        }
        savedPlanners = planners
        // Alerts of rules the site file no longer has are closed, once, on the record.
        let fingerprints = Set(evaluator.evaluate(AlertObservation(ledgerKnown: false), now: now).map(\.fingerprint))
        let retired = tracker.retire(keeping: fingerprints, now: now, reason: "the rule is no longer in the site file")
        try await record(retired)
        restored = true
    }

    /// One tick at `now`; the transitions it made.
    @discardableResult
    public func tick(now: Date) async throws -> [AlertTransition] {
        if !restored { try await restore(now: now) }
        var transitions = try await applyRequests(now: now)
        try await refreshLedger(now: now)
        let observation = AlertObservation(
            devices: observations.snapshot(), ledgerEvents: ledgerEvents + reconciliationEvents,
            materialHumidityLimits: materialLimits, ledgerKnown: ledgerKnown)
        let open = Set(tracker.alerts.filter(\.state.isOpen).map(\.fingerprint))
        transitions += tracker.update(
            conditions: evaluator.evaluate(observation, now: now, summarizing: open), now: now)
        try await record(transitions)
        for severity in AlertSeverity.allCases {
            let firing = tracker.alerts.count { $0.severity == severity && $0.state.isFiring }
            Gauge(label: "stockpile_alerts_firing", dimensions: [("severity", severity.rawValue)]).record(firing)
        }
        let silences = try await database.silences(activeAt: now)
        let suppression = AlertSuppression(alerts: tracker.alerts, silences: silences, now: now)
        for name in planners.keys.sorted() {
            for notification in planners[name]!.due(alerts: tracker.alerts, suppression: suppression, now: now) {
                dispatch(notification)
            }
        }
        await steerBeacon(AlertBeacon.shouldLight(tracker.alerts, suppression: suppression), now: now)
        if planners != savedPlanners {
            try await database.savePlanners(Array(planners.values))
            savedPlanners = planners
        }
        return transitions
    }

    /// A receiver's outcome for the notification of `groupKey`: the planner retries with back-off or
    /// moves on, and `status` shows the counts.
    public func delivered(
        receiver: String, groupKey: String, error: (any Error)?, now: Date
    ) async {
        if error == nil {
            planners[receiver]?.noteSuccess(groupKey: groupKey, now: now)
        } else {
            planners[receiver]?.noteFailure(groupKey: groupKey, now: now)
            logger.warning(
                "alert notification failed; it will be retried",
                metadata: ["receiver": "\(receiver)", "group": "\(groupKey)", "error": "\(error!)"])
        }
        do {
            // At once, not at the next tick: a restart right after a send must not send it again.
            if planners != savedPlanners {
                try await database.savePlanners(Array(planners.values))
                savedPlanners = planners
            }
            try await database.recordDelivery(
                receiver: receiver, success: error == nil, at: now, error: error.map { "\($0)" })
        } catch {
            logger.error("cannot record a notification's outcome", metadata: ["error": "\(error)"])
        }
    }

    /// Acknowledgements asked for by `stockpile alerts ack` while the agent runs.
    private func applyRequests(now: Date) async throws -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        for request in try await database.pendingRequests() {
            // On a copy: the request is taken only if the CLI has not withdrawn it meanwhile.
            var acknowledged = tracker
            var outcome: String?
            var transition: AlertTransition?
            do {
                transition = try acknowledged.acknowledge(
                    .id(request.alertID), by: request.by, comment: request.comment, now: now)
            } catch {
                outcome = error.description
            }
            guard try await database.completeRequest(id: request.id, at: now, outcome: outcome) else { continue }
            if let transition {
                tracker = acknowledged
                transitions.append(transition)
            }
        }
        return transitions
    }

    /// Logs each transition (one line each) and stores the alerts it changed with it.
    private func record(_ transitions: [AlertTransition]) async throws {
        guard !transitions.isEmpty else { return }
        var changed: [Int: Alert] = [:]
        for transition in transitions {
            guard let alert = tracker.alert(id: transition.alertID) else { continue }
            changed[alert.id] = alert
            let entry = AlertLogEntry(transition, alert: alert)
            let metadata = entry.metadata.mapValues { Logger.MetadataValue.string($0) }
            if entry.isWarning {
                logger.warning("\(entry.message)", metadata: metadata)
            } else {
                logger.info("\(entry.message)", metadata: metadata)
            }
        }
        try await database.saveAlerts(changed.values.sorted { $0.id < $1.id }, transitions: transitions)
    }

    /// The ledger's open movement events and each zone's tightest humidity limit of the hygroscopic material
    /// it holds, every `ledgerInterval`; a reconciliation every `reconciliationInterval`.
    private func refreshLedger(now: Date) async throws {
        if let last = ledgerReadAt, now.timeIntervalSince(last) < Self.ledgerInterval, now >= last { return }
        ledgerReadAt = now
        do {
            let events = try await database.movementEvents(from: now.addingTimeInterval(-86_400), to: now)
            ledgerEvents = events.filter { $0.clearedAt == nil }.map { AlertObservation.LedgerEvent($0.event) }
            let reconcile =
                reconciledAt.map { now.timeIntervalSince($0) >= Self.reconciliationInterval || now < $0 } ?? true
            // The material limits come from the whole book: read again when the ledger has grown, and with
            // each reconciliation (a transaction dated ahead takes effect without the ledger growing).
            let head = try await database.ledgerHead()
            if head != limitsHead || reconcile { materialLimits = try await zoneLimits(now: now) }
            limitsHead = head
            if reconcile {

                reconciledAt = now
                let report = try await ReconciliationBuilder.build(site: site, database: database, at: now)
                reconciliationEvents = report.locations.compactMap { line in
                    guard
                        line.status == ReconciliationStatus.shortage.rawValue
                            || line.status == ReconciliationStatus.overage.rawValue
                    else { return nil }
                    return AlertObservation.LedgerEvent(
                        kind: .reconciliationOutsideTolerance, location: line.location, since: now,
                        kilograms: line.varianceKg ?? 0, detail: "\(line.status): \(line.explanation)")
                }
            }
            ledgerKnown = true
        } catch {
            // The ledger rules see no data until the next read: they neither fire nor resolve on a failure.
            ledgerKnown = false
            logger.error("cannot read the ledger for the alert rules", metadata: ["error": "\(error)"])
        }
    }

    /// Each zone's tightest humidity limit of the hygroscopic material on the book in it at `now`.
    private func zoneLimits(now: Date) async throws -> [String: Double] {
        let book = try await database.bookSnapshot(asOf: now)
        let zones = Dictionary(
            site.ledgerLocations.compactMap { location in location.zone.map { (location.name, $0) } },
            uniquingKeysWith: { first, _ in first })
        var limits: [String: Double] = [:]
        for position in book.positions where position.kilograms > 1e-9 {
            guard let zone = zones[position.location], let material = book.materials[position.lot.material],
                material.hygroscopic, let limit = material.humidityLimit
            else { continue }
            limits[zone] = min(limits[zone] ?? limit, limit)
        }
        return limits
    }

    /// Sets the beacon when it should change, and again after a failed write.
    private func steerBeacon(_ lit: Bool, now: Date) async {
        guard let beacon, lit != beaconState else { return }
        if let retry = beaconRetryAt, now < retry { return }
        if let failure = await beacon(lit) {
            beaconRetryAt = now.addingTimeInterval(Self.beaconRetry)
            logger.error(
                "cannot set the beacon", metadata: ["lit": "\(lit)", "error": "\(failure)"])
            return
        }
        beaconRetryAt = nil
        beaconState = lit
        logger.notice(lit ? "beacon on: a critical alert is firing" : "beacon off", metadata: ["lit": "\(lit)"])
    }
}
