public import Foundation

/// Finds weight changes the ledger does not explain, from a scale's good readings: a pure function, so
/// the agent (live) and `stockpile reconcile --between` (after the fact) judge alike.
///
/// The readings are split into settled levels. A reading within the tolerance of the current level
/// joins it (the level follows as the median of its last `plateau` readings, so a slow drift stays in
/// one level); one beyond it starts a new level once `plateau` readings agree with each other within
/// the tolerance — a step, dated at its first reading off the old level. Readings in motion are not
/// `good` and never enter. A step is explained when a transaction at the location falls within
/// `window` of it and the book's platform weight (net + container tares) changed across that window by
/// the step, within the tolerance; otherwise it is an unrecorded movement. Within one level, a drift
/// from its first to its last readings beyond the tolerance, over at least `minimumDrift`, is a
/// moisture uptake (a gain on a hygroscopic lot whose zone stood above the material's limit), a
/// gradual loss, or else an unrecorded movement.
public enum MovementDetector {
    public struct Configuration: Hashable, Sendable {
        /// How far from a step a transaction may be and still explain it (the issue's ±15 min).
        public var window: TimeInterval = 900
        /// Readings that make a settled level.
        public var plateau: Int = 5
        /// The shortest drift judged as a slow change.
        public var minimumDrift: TimeInterval = 600

        public init(window: TimeInterval = 900, plateau: Int = 5, minimumDrift: TimeInterval = 600) {
            self.window = window
            self.plateau = plateau
            self.minimumDrift = minimumDrift
        }
    }

    /// Detects events at one scale location from `readings` (one weight point, any quality; only
    /// `good` values are used), with the ledger for the transactions and the zone's humidity.
    public static func detect(
        location: LedgerLocation, readings: [WeightSample], ledger: BookLedger,
        humidity: [HumidityExposure.Sample]? = nil, configuration: Configuration = Configuration()
    ) -> [MovementEvent] {
        let values = readings.filter { $0.quality == .good }.compactMap { sample in
            sample.value.flatMap { $0.isFinite ? (time: sample.time, kg: $0) : nil }
        }.sorted { $0.time < $1.time }
        let k = max(1, configuration.plateau)
        guard values.count >= k else { return [] }
        let metrology = location.metrology
        func tolerance(_ level: Double) -> Double {
            MaintenanceTolerance.rule(load: level, division: metrology.division, accuracyClass: metrology.accuracyClass)
                .toleranceKilograms
        }
        // Levels: each a run of readings; `levels[i].members` in time order.
        var levels: [[(time: Date, kg: Double)]] = [Array(values.prefix(k))]
        var index = k
        while index < values.count {
            var current = levels[levels.count - 1]
            let level = PhysicalWeight.median(current.suffix(k).map(\.kg).sorted()) ?? 0
            let reading = values[index]
            let limit = tolerance(level)
            if abs(reading.kg - level) <= limit {
                current.append(reading)
                levels[levels.count - 1] = current
                index += 1
                continue
            }
            let candidate = Array(values[index..<min(values.count, index + k)])
            let middle = PhysicalWeight.median(candidate.map(\.kg).sorted()) ?? 0
            if candidate.count == k, candidate.allSatisfy({ abs($0.kg - middle) <= limit }), abs(middle - level) > limit
            {
                levels.append(candidate)
                index += k
            } else {
                index += 1  // a lone outlier: neither the old level nor a new one
            }
        }
        var events: [MovementEvent] = []
        let device = location.device ?? ""
        for (position, members) in levels.enumerated() {
            let start = PhysicalWeight.median(members.prefix(k).map(\.kg).sorted()) ?? 0
            let end = PhysicalWeight.median(members.suffix(k).map(\.kg).sorted()) ?? 0
            if position > 0 {
                let previous = levels[position - 1]
                let before = PhysicalWeight.median(previous.suffix(k).map(\.kg).sorted()) ?? 0
                let time = members[0].time
                let change = start - before
                let limit = tolerance(before)
                let expected =
                    platform(ledger, location.name, time.addingTimeInterval(configuration.window))
                    - platform(ledger, location.name, time.addingTimeInterval(-configuration.window))
                let nearby = ledger.transactions.contains {
                    ($0.location == location.name || $0.destination == location.name)
                        && abs($0.time.timeIntervalSince(time)) <= configuration.window
                }
                if !(nearby && abs(change - expected) <= limit) {
                    events.append(
                        MovementEvent(
                            kind: .unrecordedMovement, location: location.name, device: device, start: time,
                            end: members[min(k, members.count) - 1].time, changeKilograms: change, levelBefore: before,
                            levelAfter: start, toleranceKilograms: limit,
                            readings: previous.suffix(k).count + min(k, members.count),
                            expectedKilograms: expected))
                }
            }
            guard members.count >= 2 * k,
                let first = members.first?.time, let last = members.last?.time,
                last.timeIntervalSince(first) >= configuration.minimumDrift
            else { continue }
            let drift = end - start
            let limit = tolerance(start)
            guard abs(drift) > limit else { continue }
            let expected = platform(ledger, location.name, last) - platform(ledger, location.name, first)
            guard abs(drift - expected) > limit else { continue }
            var kind: MovementEvent.Kind = drift < 0 ? .gradualLoss : .unrecordedMovement
            var hours: Double?
            if drift > 0, let humidity, let zone = location.zone {
                let exposed = ledger.positions(at: location.name, asOf: last).compactMap { position -> Double? in
                    guard let material = ledger.materials[position.lot.material], material.hygroscopic,
                        let limit = material.humidityLimit, position.kilograms > 0
                    else { return nil }
                    return HumidityExposure.measure(zone: zone, samples: humidity, limit: limit, from: first, to: last)
                        .hoursAbove
                }.max()
                if let exposed, exposed > 0 {
                    kind = .moistureUptake
                    hours = exposed
                }
            }
            events.append(
                MovementEvent(
                    kind: kind, location: location.name, device: device, start: first, end: last,
                    changeKilograms: drift, levelBefore: start, levelAfter: end, toleranceKilograms: limit,
                    readings: members.count, expectedKilograms: expected, humidityHoursAbove: hours))
        }
        return events
    }

    /// What the book puts on the platform at `instant`: each lot's net plus its containers while it
    /// holds anything.
    static func platform(_ ledger: BookLedger, _ location: String, _ instant: Date) -> Double {
        ledger.positions(at: location, asOf: instant).reduce(0) {
            $0 + $1.kilograms + ($1.kilograms > BookLedger.epsilon ? $1.lot.containerTare : 0)
        }
    }
}
