public import Foundation

/// The net weight a scale showed at an instant, taken from its readings in a window before it.
///
/// The weight counts only when the scale said it was stable: only `good` readings (the profile's
/// qualifiers already require the stable bit and reject error, overload and underload) enter the
/// median. The points are found by the shared vocabulary, never by a profile's own names:
/// - with a tare set on the scale (its `tare` above zero, or `gross` above `net`), the tare is taken
///   as the containers': the material is `net`, or `gross − tare` where the scale reports no net;
/// - with no tare set, the scale weighs gross (its `net` equals `gross`): the material is that weight
///   minus the lots' container tares from the ledger.
public struct PhysicalWeight: Hashable, Sendable {
    /// What the window held.
    public enum Outcome: Hashable, Sendable {
        /// A stable weight, net kg.
        case measured(Double)
        /// Readings, but none good: the scale was in motion, in error or stale throughout.
        case noStableReading
        /// Nothing but `offline` readings, or no reading at all: the scale was not heard.
        case offline
    }

    public var outcome: Outcome
    /// How the net was obtained, in words (`median of 12 good net readings`).
    public var method: String
    /// The readings of the point the weight came from; `nil` when there were none at all.
    public var evidence: ReadingEvidence?

    public init(outcome: Outcome, method: String, evidence: ReadingEvidence?) {
        self.outcome = outcome
        self.method = method
        self.evidence = evidence
    }

    /// The weight at `instant` from `record`, over readings after `instant − window` up to `instant`.
    ///
    /// With `band` (the scale's tolerance, kg), only the readings since the weight last settled count:
    /// walking back from the newest good reading, two readings in a row beyond `band` of the median so
    /// far, on the same side, are an earlier level (the weight stepped inside the window), and the
    /// median is taken over the readings after them. A lone reading beyond `band` is noise and stays.
    public static func measure(
        _ record: WeightRecord, device: String, at instant: Date, window: Duration, containerTare: Double,
        band: Double? = nil
    ) -> PhysicalWeight {
        let start = instant.addingTimeInterval(-window.seconds)
        let summaries = summarize(record, device: device, start: start, end: instant, band: band)
        let net = summaries["net"]
        let gross = summaries["gross"]
        let tare = summaries["tare"]
        guard let chosen = net ?? gross else {
            return PhysicalWeight(outcome: .offline, method: "no weight reading in the window", evidence: nil)
        }
        let kind = chosen.point
        guard let median = chosen.median else {
            let heard = chosen.qualities.contains { $0.quality != .offline }
            return PhysicalWeight(
                outcome: heard ? .noStableReading : .offline,
                method: heard ? "no good \(kind) reading in the window" : "the scale was offline throughout the window",
                evidence: chosen)
        }
        let noTare = 1e-9
        var scaleTare = 0.0
        if let tareMedian = tare?.median {
            scaleTare = tareMedian
        } else if let netMedian = net?.median, let grossMedian = gross?.median {
            scaleTare = grossMedian - netMedian
        }
        let readings =
            "\(describe(chosen)) of \(chosen.goodCount) good \(kind) readings"
            + (chosen.settledSince.map { " since the weight settled at \(UTCTimestamp.text($0))" } ?? "")
        if scaleTare > noTare {
            let tareText = MaintenanceTolerance.Rule.number(scaleTare)
            if kind == "net" {
                return PhysicalWeight(
                    outcome: .measured(median),
                    method: "\(readings) (the scale's tare \(tareText) kg taken as the containers')", evidence: chosen)
            }
            return PhysicalWeight(
                outcome: .measured(median - scaleTare), method: "\(readings) − the scale's tare \(tareText) kg",
                evidence: chosen)
        }
        return PhysicalWeight(
            outcome: .measured(median - containerTare),
            method: "\(readings) (no tare set: gross) − container tares "
                + "\(MaintenanceTolerance.Rule.number(containerTare)) kg (ledger)",
            evidence: chosen)
    }

    private static func describe(_ evidence: ReadingEvidence) -> String {
        evidence.source == .readings ? "median" : "count-weighted mean of minute means (minute aggregates)"
    }

    /// One `ReadingEvidence` per weight point present in the window.
    static func summarize(
        _ record: WeightRecord, device: String, start: Date, end: Date, band: Double? = nil
    )
        -> [String: ReadingEvidence]
    {
        var result: [String: ReadingEvidence] = [:]
        switch record {
        case .readings(let samples):
            let inWindow = samples.filter { $0.time > start && $0.time <= end }
            for (point, readings) in Dictionary(grouping: inWindow, by: \.point) {
                var good = readings.filter { $0.quality == .good }.compactMap { sample in
                    sample.value.flatMap { $0.isFinite ? (time: sample.time, kg: $0) : nil }
                }.sorted { $0.time < $1.time }
                var settledSince: Date?
                if let band { (good, settledSince) = latestLevel(good, band: band) }
                let values = good.map(\.kg).sorted()
                let qualities = ReadingQuality.allCases.compactMap { quality -> ReadingEvidence.QualityCount? in
                    let count = readings.count { $0.quality == quality }
                    return count == 0 ? nil : .init(quality: quality, count: count)
                }
                result[point] = ReadingEvidence(
                    device: device, point: point, source: .readings, windowStart: start, windowEnd: end,
                    first: readings.map(\.time).min(), last: readings.map(\.time).max(), count: readings.count,
                    goodCount: values.count, median: median(values), minimum: values.first, maximum: values.last,
                    qualities: qualities, settledSince: settledSince)
            }
        case .minutes(let minutes):
            // Aggregates know no finer time than the minute: every minute that overlaps the window counts.
            let inWindow = minutes.filter { $0.minute.addingTimeInterval(60) > start && $0.minute <= end }
            for (point, rows) in Dictionary(grouping: inWindow, by: \.point) {
                let valueCount = rows.reduce(0) { $0 + $1.valueCount }
                let sum = rows.reduce(0) { $0 + $1.sum }
                let counts: [(ReadingQuality, Int)] = [
                    (.good, rows.reduce(0) { $0 + $1.goodCount }),
                    (.uncertain, rows.reduce(0) { $0 + $1.uncertainCount }),
                    (.bad, rows.reduce(0) { $0 + $1.badCount }), (.stale, rows.reduce(0) { $0 + $1.staleCount }),
                    (.offline, rows.reduce(0) { $0 + $1.offlineCount }),
                ]
                result[point] = ReadingEvidence(
                    device: device, point: point, source: .minuteAggregates, windowStart: start, windowEnd: end,
                    first: rows.map(\.minute).min(), last: rows.map(\.minute).max(),
                    count: rows.reduce(0) { $0 + $1.count }, goodCount: valueCount,
                    median: valueCount > 0 ? sum / Double(valueCount) : nil,
                    minimum: rows.compactMap(\.min).min(), maximum: rows.compactMap(\.max).max(),
                    qualities: counts.filter { $0.1 > 0 }.map { .init(quality: $0.0, count: $0.1) })
            }
        }
        return result
    }

    /// The good readings (time order) of the level the weight was at last, and when that level began when
    /// the window holds an earlier one too.
    static func latestLevel(_ readings: [(time: Date, kg: Double)], band: Double) -> ([(time: Date, kg: Double)], Date?)
    {
        guard var index = readings.indices.last else { return (readings, nil) }
        var kept = [readings[index].kg]
        while index > 0 {
            let level = median(kept.sorted()) ?? 0
            let candidate = readings[index - 1].kg
            if abs(candidate - level) > band, index >= 2 {
                let before = readings[index - 2].kg
                if abs(before - level) > band, (before - level).sign == (candidate - level).sign {
                    return (Array(readings[index...]), readings[index].time)
                }
            }
            kept.append(candidate)
            index -= 1
        }
        return (readings, nil)
    }

    /// The middle value of sorted values; the mean of the two middle ones for an even count.
    static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
