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
        // To the millisecond, as the report writes its instant: a report made "as of now" is then the same bytes
        // as one made later with `--at` its printed instant, as reproducibility asks.
        let instant = Date(timeIntervalSince1970: (instant.timeIntervalSince1970 * 1000).rounded() / 1000)
        let locations = site.ledgerLocations
        // The book with its cut-off, the window's readings and health events of every scale: three reads,
        // each one query over the whole site (not one per location), run at once on the pool's readers.
        let start = instant.addingTimeInterval(-window.seconds)
        async let snapshot = database.bookSnapshotAndCutOff(asOf: instant)
        async let readingsByDevice = database.readings(
            points: weightPoints, since: start.addingTimeInterval(0.001), until: instant.addingTimeInterval(0.001))
        async let healthByDevice = database.healthEvents(since: start)
        let (book, lastTransaction) = try await snapshot
        let windowReadings = try await readingsByDevice
        let windowHealth = try await healthByDevice
        let positions = book.positions
        let byLocation = Dictionary(grouping: positions, by: \.location)
        let chosen = locations.filter { filter == nil || $0.name == filter }
        // What only some locations need from the store, fetched for those alone: minute aggregates where raw
        // retention has pruned the window, the book at a count's time, a zone's humidity (once per zone).
        var fetched: [Fetched] = []
        fetched.reserveCapacity(chosen.count)
        var humidityByZone: [String: [HumidityExposure.Sample]] = [:]
        var humiditySince: [String: Date] = [:]
        let zoneOf = Dictionary(
            locations.compactMap { l in l.zone.map { (l.name, $0) } }, uniquingKeysWith: { a, _ in a })
        for position in positions where book.materials[position.lot.material]?.hygroscopic == true {
            guard let zone = zoneOf[position.location], let receipt = position.lastReceipt?.time else { continue }
            humiditySince[zone] = min(humiditySince[zone] ?? receipt, receipt)
        }
        for location in chosen {
            fetched.append(
                try await fetch(
                    for: location, positions: byLocation[location.name] ?? [], site: site, book: book,
                    database: database, at: instant, window: window,
                    readings: location.device.map { windowReadings[$0] ?? [] } ?? [], humiditySince: humiditySince,
                    humidity: &humidityByZone))
        }
        let jobs = chosen.indices.map { index in
            let location = chosen[index]
            return Job(
                location: location, positions: byLocation[location.name] ?? [],
                readings: location.device.map { windowReadings[$0] ?? [] },
                health: location.device.map { windowHealth[$0] ?? [] }, fetched: fetched[index])
        }
        let materials = book.materials
        let lines = await reconciled(jobs) { job in
            line(
                Reconciler.reconcile(
                    input(for: job, materials: materials, at: instant, window: window)))
        }
        let cutOff = lastTransaction.map { last in
            ReconciliationReport.CutOff(
                sequence: last.sequence, time: UTCTimestamp.text(last.time), kind: last.kind, document: last.document,
                chainHash: last.headHash)
        }
        var totals: [String: ReconciliationReport.MaterialTotal] = [:]
        for position in positions where filter == nil || position.location == filter {
            let code = position.lot.material
            var total =
                totals[code] ?? .init(material: code, name: book.materials[code]?.name ?? code, lots: 0, bookKg: 0)
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

    /// One location's share of the site-wide reads, and what was fetched for it alone.
    struct Job: Sendable {
        var location: LedgerLocation
        var positions: [LotPosition]
        var readings: [Reading]?
        var health: [DeviceHealthEvent]?
        var fetched: Fetched
    }

    /// What a location needs from the store beyond the site-wide reads; `nil` where it needs nothing.
    struct Fetched: Sendable {
        var minutes: [WeightMinute]?
        var count: (count: PhysicalCount, book: Double)?
        var humidity: [HumidityExposure.Sample]?
    }

    /// `work` over `jobs`, in their order, spread over the machine's cores in contiguous chunks: the
    /// reconciliation of each location is pure, so they share nothing.
    static func reconciled(
        _ jobs: [Job], _ work: @escaping @Sendable (Job) -> ReconciliationReport.Line
    ) async -> [ReconciliationReport.Line] {
        let chunks = min(max(1, ProcessInfo.processInfo.activeProcessorCount), max(1, jobs.count / 1000))
        guard chunks > 1 else { return jobs.map(work) }
        let size = (jobs.count + chunks - 1) / chunks
        return await withTaskGroup(of: (Int, [ReconciliationReport.Line]).self) { group in
            for chunk in 0..<chunks {
                let part = Array(jobs[min(jobs.count, chunk * size)..<min(jobs.count, (chunk + 1) * size)])
                group.addTask { (chunk, part.map(work)) }
            }
            var parts: [[ReconciliationReport.Line]] = Array(repeating: [], count: chunks)
            for await (chunk, lines) in group { parts[chunk] = lines }
            return parts.flatMap { $0 }
        }
    }

    static func fetch(
        for location: LedgerLocation, positions: [LotPosition], site: SiteConfiguration, book: BookSnapshot,
        database: AppDatabase, at instant: Date, window: Duration, readings: [Reading],
        humiditySince: [String: Date], humidity humidityByZone: inout [String: [HumidityExposure.Sample]]
    ) async throws -> Fetched {
        var fetched = Fetched()
        let start = instant.addingTimeInterval(-window.seconds)
        if let device = location.device, !readings.contains(where: { weightPoints.contains($0.point) }) {
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
            fetched.minutes = minutes
        }
        if let count = book.latestCount(at: location.name, before: instant) {
            fetched.count = (count, try await database.book(at: location.name, asOf: count.time))
        }
        let hygroscopic = positions.filter { book.materials[$0.lot.material]?.hygroscopic == true }
        if let zone = location.zone, !hygroscopic.isEmpty {
            if let samples = humidityByZone[zone] {
                fetched.humidity = samples
            } else {
                let sensors = site.devices(inZone: zone).filter { $0.profile.points.contains { $0.name == "humidity" } }
                if !sensors.isEmpty {
                    // From the earliest last receipt of a hygroscopic lot anywhere in the zone: every location
                    // there shares one read, and each lot's exposure counts from its own receipt.
                    let since = humiditySince[zone] ?? instant
                    var samples: [HumidityExposure.Sample] = []
                    for sensor in sensors {
                        let minutes = try await database.minuteAggregates(
                            device: sensor.name, point: "humidity", since: since,
                            until: instant.addingTimeInterval(0.001))
                        samples += minutes.compactMap { minute in
                            minute.mean.map {
                                HumidityExposure.Sample(time: minute.minute, value: $0, maximum: minute.max)
                            }
                        }
                    }
                    humidityByZone[zone] = samples
                    fetched.humidity = samples
                }
            }
        }
        return fetched
    }

    /// The reconciler's input for `job`: pure, from what was read and fetched.
    static func input(
        for job: Job, materials: [String: Material], at instant: Date, window: Duration
    ) -> Reconciler.Input {
        let location = job.location
        var input = Reconciler.Input(
            location: location, instant: instant, window: window, positions: job.positions, materials: materials,
            weight: nil)
        if location.device != nil {
            if let minutes = job.fetched.minutes {
                input.weight = minutes.isEmpty ? .readings([]) : .minutes(minutes)
            } else {
                var samples: [WeightSample] = []
                for point in weightPoints {
                    for reading in job.readings ?? [] where reading.point == point {
                        samples.append(
                            WeightSample(
                                time: reading.time, point: point, value: reading.value?.number,
                                quality: reading.quality))
                    }
                }
                input.weight = .readings(samples)
            }
            input.health = (job.health ?? [])
                .filter { $0.time <= instant }
                .map { .init(time: $0.time, state: $0.to.rawValue, reason: $0.reason) }
        }
        input.count = job.fetched.count
        input.humidity = job.fetched.humidity
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
