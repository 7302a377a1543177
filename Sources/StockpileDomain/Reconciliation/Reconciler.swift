public import Foundation

/// Reconciles one location: a pure function of the book, the scale's readings, the counts and the
/// zone's humidity, so that the same inputs give the same verdict and every figure can be re-derived.
public enum Reconciler {
    /// Everything one location's reconciliation needs, gathered by the caller (the store, a test).
    public struct Input: Sendable {
        public var location: LedgerLocation
        /// The instant reconciled.
        public var instant: Date
        /// How far before `instant` the scale's readings are taken from.
        public var window: Duration
        /// The lots on the book at the location at `instant`.
        public var positions: [LotPosition]
        public var materials: [String: Material]
        /// The scale's weight points over the window; `nil` for a manual location.
        public var weight: WeightRecord?
        /// The scale's health changes in the window (and the one in force at its start).
        public var health: [LocationReconciliation.HealthNote]
        /// The latest count at the location at or before `instant`, with the book at the count's time.
        public var count: (count: PhysicalCount, book: Double)?
        /// The zone's humidity since the earliest last receipt of a hygroscopic lot; `nil` when the
        /// location has no zone with a humidity sensor.
        public var humidity: [HumidityExposure.Sample]?

        public init(
            location: LedgerLocation, instant: Date, window: Duration, positions: [LotPosition],
            materials: [String: Material], weight: WeightRecord?, health: [LocationReconciliation.HealthNote] = [],
            count: (count: PhysicalCount, book: Double)? = nil, humidity: [HumidityExposure.Sample]? = nil
        ) {
            self.location = location
            self.instant = instant
            self.window = window
            self.positions = positions
            self.materials = materials
            self.weight = weight
            self.health = health
            self.count = count
            self.humidity = humidity
        }
    }

    /// The default window of readings before the instant.
    public static let defaultWindow: Duration = .seconds(300)

    /// Reconciles one location.
    public static func reconcile(_ input: Input) -> LocationReconciliation {
        let location = input.location
        let metrology = location.metrology
        let lots = input.positions.map { lotLine($0, input: input) }
        let book = input.positions.reduce(0) { $0 + $1.kilograms }
        let containerTare = input.positions.filter { $0.kilograms > BookLedger.epsilon }
            .reduce(0) { $0 + $1.lot.containerTare }
        let rule = MaintenanceTolerance.rule(
            load: book + containerTare, division: metrology.division, accuracyClass: metrology.accuracyClass)
        let allowance = lots.reduce(0) { $0 + $1.moistureAllowance }
        let exposed = lots.contains { ($0.humidity?.hoursAbove ?? 0) > 0 && $0.moistureAllowance > 0 }
        let countLine = input.count.map {
            LocationReconciliation.CountLine(count: $0.count, book: $0.book, variance: $0.count.kilograms - $0.book)
        }
        var result = LocationReconciliation(
            location: location.name, kind: location.kind, device: location.device, zone: location.zone, book: book,
            physical: nil, physicalMethod: "", variance: nil, variancePercent: nil, scaleTolerance: rule,
            moistureAllowance: allowance, status: .notCounted, explanation: "", lots: lots, readings: nil,
            health: input.health, count: countLine)

        let physical: Double
        let compareBook: Double
        switch location.kind {
        case .manual:
            guard let countLine else {
                result.physicalMethod = "no count recorded"
                result.explanation = "\(location.name) is counted by hand and has no count at or before this instant"
                return result
            }
            physical = countLine.count.kilograms
            compareBook = countLine.book
            result.book = compareBook
            result.physicalMethod =
                "counted by \(countLine.count.counter) at \(UTCTimestamp.text(countLine.count.time)) "
                + "(\(countLine.count.document)); book as of the count"
        case .scale:
            let measured = PhysicalWeight.measure(
                input.weight ?? .readings([]), device: location.device ?? "", at: input.instant, window: input.window,
                containerTare: containerTare, band: rule.toleranceKilograms)
            result.readings = measured.evidence
            result.physicalMethod = measured.method
            switch measured.outcome {
            case .offline:
                result.status = .scaleOffline
                result.explanation = "the scale was not heard in the \(windowText(input.window)) before the instant"
                return result
            case .noStableReading:
                result.status = .noStableReading
                result.explanation =
                    "the scale answered, but no reading in the \(windowText(input.window)) before the instant was good "
                    + "(stable, no error)"
                return result
            case .measured(let kilograms):
                physical = kilograms
                compareBook = book
            }
        }
        let variance = physical - compareBook
        result.physical = physical
        result.variance = variance
        result.variancePercent = compareBook == 0 ? nil : variance / compareBook * 100
        (result.status, result.explanation) = classify(
            variance: variance, division: metrology.division, tolerance: rule.toleranceKilograms,
            moistureAllowance: allowance, moistureExposure: exposed)
        return result
    }

    /// The verdict on a variance. Boundaries belong to the better verdict: a variance of exactly the
    /// tolerance is within it, and exactly tolerance + allowance is still a moisture gain.
    public static func classify(
        variance: Double, division: Double, tolerance: Double, moistureAllowance: Double, moistureExposure: Bool
    ) -> (ReconciliationStatus, String) {
        let number = MaintenanceTolerance.Rule.number
        let slack = 1e-9 * max(1, tolerance)
        let magnitude = abs(variance)
        if magnitude < division / 2 - slack {
            return (.ok, "physical equals book to the scale's division (\(number(division)) kg)")
        }
        if magnitude <= tolerance + slack {
            return (.withinTolerance, "\(number(variance)) kg is within the scale's ±\(number(tolerance)) kg")
        }
        if variance < 0 {
            return (
                .shortage, "\(number(-variance)) kg less than the book, beyond the scale's ±\(number(tolerance)) kg"
            )
        }
        let widened = tolerance + moistureAllowance
        if moistureAllowance > 0 && variance <= widened + slack {
            if moistureExposure {
                return (
                    .moistureGain,
                    "+\(number(variance)) kg is beyond ±\(number(tolerance)) kg but within the moisture allowance "
                        + "(\(number(widened)) kg), and the zone stood above the material's humidity limit"
                )
            }
            return (
                .overage,
                "+\(number(variance)) kg is within the moisture allowance, but the zone never stood above the "
                    + "material's humidity limit: not explained by moisture"
            )
        }
        return (.overage, "\(number(variance)) kg more than the book, beyond ±\(number(widened)) kg")
    }

    private static func lotLine(_ position: LotPosition, input: Input) -> LocationReconciliation.LotLine {
        let lot = position.lot
        let material = input.materials[lot.material]
        var exposure: HumidityExposure?
        var allowance = 0.0
        if let material, material.hygroscopic {
            allowance = max(0, position.kilograms) * material.moistureAllowancePercent / 100
            if let limit = material.humidityLimit, let samples = input.humidity, let zone = input.location.zone {
                let since = position.lastReceipt?.time ?? input.instant
                exposure = HumidityExposure.measure(
                    zone: zone, samples: samples, limit: limit, from: since, to: input.instant)
            }
        }
        return LocationReconciliation.LotLine(
            lot: lot.id, material: lot.material, kilograms: position.kilograms, containers: lot.containerCount,
            containerKind: lot.containerKind, containerTare: lot.containerTare, humidity: exposure,
            moistureAllowance: allowance)
    }

    static func windowText(_ window: Duration) -> String {
        let seconds = Int(window.seconds.rounded())
        return seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }
}
