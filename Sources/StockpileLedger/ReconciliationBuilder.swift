public import Foundation
public import StockpileDomain
public import StockpileStore

/// Gathers what each location's reconciliation needs from the store and the site file, runs the pure
/// `Reconciler`, and assembles the report.
///
/// The physical weight is read by the shared point names (`net`, `gross`, `tare`) of the location's
/// scale, never by a profile's own names. When the window has no raw readings left (raw retention has
/// pruned them) it comes from the minute aggregates, and the evidence says so. Humidity comes from the
/// minute aggregates of the zone's `humidity` points (mean and maximum per minute), since a lot's last
/// receipt can be months back.
public enum ReconciliationBuilder {
    public static let weightPoints = ["net", "gross", "tare"]

    public static func build(
        site: SiteConfiguration, database: AppDatabase, at instant: Date, window: Duration = Reconciler.defaultWindow,
        location filter: String? = nil
    ) async throws -> ReconciliationReport {
        let locations = site.ledgerLocations
        let ledger = try await database.ledger(locations: locations)
        var lines: [ReconciliationReport.Line] = []
        // Positions once for every location: `ledger.positions(at:)` per location would replay the ledger each time.
        let positions = ledger.positions(asOf: instant)
        let byLocation = Dictionary(grouping: positions, by: \.location)
        // The window's readings and health events of every scale in one query each, not one per location: a
        // site of 100,000 locations would otherwise pay 400,000 round trips to the store.
        let start = instant.addingTimeInterval(-window.seconds)
        let windowReadings = try await database.readings(
            points: weightPoints, since: start.addingTimeInterval(0.001), until: instant.addingTimeInterval(0.001))
        let windowHealth = try await database.healthEvents(since: start)
        for location in locations where filter == nil || location.name == filter {
            let input = try await input(
                for: location, positions: byLocation[location.name] ?? [], site: site, ledger: ledger,
                database: database, at: instant, window: window,
                readings: location.device.map { windowReadings[$0] ?? [] },
                health: location.device.map { windowHealth[$0] ?? [] })
            lines.append(line(Reconciler.reconcile(input)))
        }
        let cutOff = try await database.ledgerCutOff(asOf: instant).map { last in
            ReconciliationReport.CutOff(
                sequence: last.sequence, time: UTCTimestamp.text(last.time), kind: last.kind, document: last.document,
                chainHash: last.headHash)
        }
        var totals: [String: ReconciliationReport.MaterialTotal] = [:]
        for position in positions where filter == nil || position.location == filter {
            let code = position.lot.material
            var total =
                totals[code] ?? .init(material: code, name: ledger.materials[code]?.name ?? code, lots: 0, bookKg: 0)
            total.lots += 1
            total.bookKg = kg(total.bookKg + position.kilograms)
            totals[code] = total
        }
        let counts = ReconciliationStatus.allCases.map { status in
            ReconciliationReport.Quality(quality: status.rawValue, count: lines.count { $0.status == status.rawValue })
        }
        var notes = [
            "Physical weight: the median of good (stable, error-free) readings of the scale's net point in the window "
                + "before the instant; gross minus tare where the scale reports no net.",
            "Tolerance: NIST Handbook 44 maintenance tolerance at the location's load (book + container tares), plus "
                + "the moisture allowance of hygroscopic lots for gains only.",
        ]
        if lines.contains(where: { $0.readings?.source == ReadingEvidence.Source.minuteAggregates.rawValue }) {
            notes.append(
                "Some windows are older than raw retention: their weight is the count-weighted mean of minute means "
                    + "(minute aggregates), not a median.")
        }
        return ReconciliationReport(
            schema: "stockpile-reconciliation/1", site: .init(id: site.id, name: site.name),
            at: UTCTimestamp.text(instant), windowSeconds: window.seconds, locationFilter: filter, cutOff: cutOff,
            locations: lines,
            totals: totals.values.sorted { $0.material < $1.material }, statusCounts: counts, notes: notes)
    }

    static func input(
        for location: LedgerLocation, positions: [LotPosition], site: SiteConfiguration, ledger: BookLedger,
        database: AppDatabase, at instant: Date, window: Duration, readings windowReadings: [Reading]? = nil,
        health windowHealth: [DeviceHealthEvent]? = nil
    ) async throws -> Reconciler.Input {
        var input = Reconciler.Input(
            location: location, instant: instant, window: window, positions: positions, materials: ledger.materials,
            weight: nil)
        let start = instant.addingTimeInterval(-window.seconds)
        if let device = location.device {
            // The store's ranges are [since, until): (start, instant] is [start + 1 ms, instant + 1 ms).
            var samples: [WeightSample] = []
            for point in weightPoints {
                let readings: [Reading]
                if let windowReadings {
                    readings = windowReadings.filter { $0.point == point }
                } else {
                    readings = try await database.readings(
                        device: device, point: point, since: start.addingTimeInterval(0.001),
                        until: instant.addingTimeInterval(0.001))
                }
                samples += readings.map {
                    WeightSample(time: $0.time, point: point, value: $0.value?.number, quality: $0.quality)
                }
            }
            if samples.isEmpty {
                var minutes: [WeightMinute] = []
                for point in weightPoints {
                    let aggregates = try await database.minuteAggregates(
                        device: device, point: point, since: start.addingTimeInterval(-60),
                        until: instant.addingTimeInterval(0.001))
                    minutes += aggregates.map {
                        WeightMinute(
                            minute: $0.minute, point: point, count: $0.count, goodCount: $0.goodCount,
                            uncertainCount: $0.uncertainCount, badCount: $0.badCount, staleCount: $0.staleCount,
                            offlineCount: $0.offlineCount, valueCount: $0.valueCount, min: $0.min, max: $0.max,
                            sum: $0.sum)
                    }
                }
                input.weight = minutes.isEmpty ? .readings([]) : .minutes(minutes)
            } else {
                input.weight = .readings(samples)
            }
            let health: [DeviceHealthEvent]
            if let windowHealth {
                health = windowHealth
            } else {
                health = try await database.healthEvents(device: device, since: start)
            }
            input.health =
                health
                .filter { $0.time <= instant }
                .map { .init(time: $0.time, state: $0.to.rawValue, reason: $0.reason) }
        }
        if let count = ledger.latestCount(at: location.name, before: instant) {
            input.count = (count, ledger.book(at: location.name, asOf: count.time))
        }
        let hygroscopic = positions.filter { ledger.materials[$0.lot.material]?.hygroscopic == true }
        if let zone = location.zone, !hygroscopic.isEmpty {
            let sensors = site.devices(inZone: zone).filter { $0.profile.points.contains { $0.name == "humidity" } }
            if !sensors.isEmpty {
                let since = hygroscopic.compactMap { $0.lastReceipt?.time }.min() ?? instant
                var samples: [HumidityExposure.Sample] = []
                for sensor in sensors {
                    let minutes = try await database.minuteAggregates(
                        device: sensor.name, point: "humidity", since: since, until: instant.addingTimeInterval(0.001))
                    samples += minutes.compactMap { minute in
                        minute.mean.map { HumidityExposure.Sample(time: minute.minute, value: $0, maximum: minute.max) }
                    }
                }
                input.humidity = samples
            }
        }
        return input
    }

    /// kg, rounded to 6 decimals: binary noise from sums of decimal inputs never reaches a report.
    static func kg(_ value: Double) -> Double {
        (value * 1_000_000).rounded() / 1_000_000
    }

    static func line(_ result: LocationReconciliation) -> ReconciliationReport.Line {
        let rule = result.scaleTolerance
        return ReconciliationReport.Line(
            location: result.location, kind: result.kind.rawValue, device: result.device, zone: result.zone, unit: "kg",
            bookKg: kg(result.book), physicalKg: result.physical.map(kg), physicalMethod: result.physicalMethod,
            varianceKg: result.variance.map(kg), variancePercent: result.variancePercent.map(kg),
            tolerance: .init(
                kg: kg(rule.toleranceKilograms), divisions: rule.toleranceDivisions, accuracyClass: rule.accuracyClass,
                division: rule.division, loadKg: kg(rule.load), loadDivisions: kg(rule.loadDivisions), row: rule.row,
                rule: rule.summary, source: rule.source, moistureAllowanceKg: kg(result.moistureAllowance)),
            status: result.status.rawValue, explanation: result.explanation,
            lots: result.lots.map { lot in
                .init(
                    lot: lot.lot, material: lot.material, bookKg: kg(lot.kilograms), containers: lot.containers,
                    containerKind: lot.containerKind, containerTareKg: kg(lot.containerTare),
                    moistureAllowanceKg: kg(lot.moistureAllowance),
                    humidity: lot.humidity.map {
                        .init(
                            zone: $0.zone, limitRelativeHumidity: $0.limit, since: UTCTimestamp.text($0.from),
                            hoursAbove: kg($0.hoursAbove), hoursCovered: kg($0.hoursCovered),
                            maximumRelativeHumidity: $0.maximum.map(kg), samples: $0.sampleCount)
                    })
            },
            readings: result.readings.map { evidence in
                .init(
                    device: evidence.device, point: evidence.point, source: evidence.source.rawValue,
                    windowStart: UTCTimestamp.text(evidence.windowStart),
                    windowEnd: UTCTimestamp.text(evidence.windowEnd),
                    first: evidence.first.map(UTCTimestamp.text), last: evidence.last.map(UTCTimestamp.text),
                    count: evidence.count, goodCount: evidence.goodCount, median: evidence.median.map(kg),
                    min: evidence.minimum.map(kg), max: evidence.maximum.map(kg),
                    qualities: evidence.qualities.map { .init(quality: $0.quality.rawValue, count: $0.count) },
                    settledSince: evidence.settledSince.map(UTCTimestamp.text))
            },
            health: result.health.map { .init(time: UTCTimestamp.text($0.time), state: $0.state, reason: $0.reason) },
            count: result.count.map {
                .init(
                    time: UTCTimestamp.text($0.count.time), counter: $0.count.counter, document: $0.count.document,
                    countedKg: kg($0.count.kilograms), bookKg: kg($0.book), varianceKg: kg($0.variance))
            })
    }
}
