public import Foundation
public import StockpileAlerts
public import StockpileDomain
import Synchronization

/// What the pollers last saw of every device, as the alert rules look at it: health and since when,
/// each point's latest value and quality, when its value last changed and when it was last fresh, the
/// flags that are set, and a short history of the points a rate rule watches.
///
/// The pollers write it as each batch is decoded; the alert service reads a snapshot once a tick. It
/// is memory only: after a restart it fills again from the first polls, and until then every rule on
/// a device sees no data, which never resolves an alert.
public final class LiveObservations: Sendable {
    /// The points whose history is kept, by device, and for how long.
    public struct HistoryDemand: Hashable, Sendable {
        public var points: [String: Set<String>]
        public var window: TimeInterval

        public init(points: [String: Set<String>] = [:], window: TimeInterval = 0) {
            self.points = points
            self.window = window
        }

        /// What `configuration`'s rate rules need: their points on their devices, over their longest window.
        public init(_ configuration: AlertConfiguration) {
            var points: [String: Set<String>] = [:]
            var window: TimeInterval = 0
            for rule in configuration.rules {
                guard case .rate(let point, _, let span, let devices) = rule.kind else { continue }
                for device in devices { points[device, default: []].insert(point) }
                window = max(window, Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18)
            }
            self.init(points: points, window: window)
        }
    }

    private let demand: HistoryDemand
    private let state = Mutex<[String: Observed]>([:])

    /// A device as seen since the agent started: shown to the rules only once it has answered, or once
    /// its poller judged it offline. Until then its health is not known (a device silent since the start
    /// is only "degraded" for its first polls), and an alert restored from before a restart must not
    /// resolve on that.
    private struct Observed {
        var device: AlertObservation.Device
        var heard = false
        var judged = false

        var isKnown: Bool { heard || (judged && device.health == .offline) }
    }

    public init(history: HistoryDemand = HistoryDemand()) {
        demand = history
    }

    /// One poll's decoded readings of `device`, taken at `time`.
    public func record(device: String, readings: [PointReading], at time: Date) {
        let watched = demand.points[device] ?? []
        state.withLock { devices in
            // Taken out and put back, so the device's points and each history are uniquely referenced while
            // they change: updated in place, not copied on every poll.
            var entry =
                devices.removeValue(forKey: device)
                ?? Observed(device: AlertObservation.Device(health: .online, since: time))
            var observed = entry.device
            entry.device.points = [:]
            for reading in readings {
                let value = Self.number(reading.value)
                var point: AlertObservation.Point
                if var existing = observed.points.removeValue(forKey: reading.name) {
                    let (wasValue, wasUsable) = (existing.value, existing.isUsable)
                    existing.value = value
                    existing.quality = reading.quality
                    existing.at = time
                    // `since`: when the value last changed, or became usable again; a door's open time counts
                    // from it.
                    if wasValue != value || wasUsable != existing.isUsable { existing.since = time }
                    point = existing
                } else {
                    point = AlertObservation.Point(value: value, quality: reading.quality, at: time, since: time)
                }
                if !point.isStale {
                    point.lastFreshAt = time
                    entry.heard = true
                }
                if watched.contains(reading.name) {
                    if point.isUsable, let value { point.history.append(.init(at: time, value: value)) }
                    // Trimmed in steps of a tenth of the window, not by one sample per poll: removing from
                    // the front moves the whole array. The rules read only the window they ask for.
                    let oldest = time.addingTimeInterval(-demand.window * 1.1)
                    if let head = point.history.first, head.at < oldest,
                        let first = point.history.firstIndex(where: { $0.at >= time.addingTimeInterval(-demand.window) }
                        )
                    {
                        point.history.removeFirst(first)
                    }
                }
                observed.points[reading.name] = point
                if reading.value == .bool(true) {
                    observed.activeFlags.insert(reading.name)
                } else {
                    observed.activeFlags.remove(reading.name)
                }
            }
            entry.device = observed
            devices[device] = entry
        }
    }

    /// `device` changed health at `time`.
    public func record(device: String, health: DeviceHealth, at time: Date) {
        state.withLock { devices in
            var entry = devices[device] ?? Observed(device: AlertObservation.Device(health: health, since: time))
            if entry.device.health != health || !entry.judged {
                entry.device.health = health
                entry.device.since = time
            }
            entry.judged = true
            devices[device] = entry
        }
    }

    /// Every device whose state is known: it has answered since the start, or it was judged offline.
    public func snapshot() -> [String: AlertObservation.Device] {
        state.withLock { devices in devices.filter(\.value.isKnown).mapValues(\.device) }
    }

    /// Numbers as numbers; a bit as 1 or 0 (doors, flags); text has no value for a rule.
    static func number(_ value: PointValue?) -> Double? {
        switch value {
        case .number(let number): number.isFinite ? number : nil
        case .bool(let bit): bit ? 1 : 0
        case .text, nil: nil
        }
    }
}
