import Foundation

/// An SVG drawing area: `0 0 width height` in user units, with `inset` kept free above and below the line
/// so a stroke at the extremes is not cut.
struct ViewBox: Sendable, Equatable {
    var width: Double
    var height: Double
    var inset: Double

    /// The `viewBox` attribute.
    var attribute: String {
        "0 0 \(DisplayFormat.fixed(width, decimals: 0)) \(DisplayFormat.fixed(height, decimals: 0))"
    }
}

/// A series drawn into a fixed view box: a pure map from (time, value) samples to SVG `points` attributes.
///
/// Time runs left to right over `window` (not over the samples' own span, so a day with data only since
/// noon starts halfway); values run bottom to top from the lowest to the highest sample. A flat series is
/// drawn at half height, a window of no length at half width. Where two neighbouring samples are further
/// apart than `gap` (by default 3 × the median step between samples) the line breaks into runs, so an
/// outage is not drawn as a straight ramp. Samples sharing a column of the view box are merged (mean of
/// the means, lowest low, highest high), so a day of minute means is at most `width` points, not 1,440.
struct Sparkline: Sendable, Equatable {
    /// One sample; a sparkline's has low = mean = high, a chart's bucket its minimum, mean and maximum.
    struct Sample: Sendable, Equatable {
        var time: Date
        var low: Double
        var mean: Double
        var high: Double

        init(time: Date, low: Double, mean: Double, high: Double) {
            self.time = time
            self.low = low
            self.mean = mean
            self.high = high
        }

        init(time: Date, value: Double) {
            self.init(time: time, low: value, mean: value, high: value)
        }
    }

    /// A position in the view box.
    struct Point: Sendable, Equatable {
        var x: Double
        var y: Double
    }

    /// An unbroken stretch of the series.
    struct Run: Sendable, Equatable {
        /// The means, left to right: a `<polyline points>`.
        var line: String
        /// Highs left to right, then lows right to left: a `<polygon points>` for the min–max band.
        var band: String
        /// Whether a sample of the run has its own low and high (a chart bucket), so the band is worth drawing.
        var hasBand: Bool
        /// The run's only point when it has one (a polyline of one point draws nothing; the page marks it).
        var single: Point?
    }

    let box: ViewBox
    /// The runs, left to right; empty without samples in the window.
    let runs: [Run]
    /// The lowest low drawn (the bottom of the box).
    let lowest: Double?
    /// The highest high drawn (the top of the box).
    let highest: Double?
    /// The newest point, for a marker.
    let last: Point?

    init(_ samples: [Sample], window: DateInterval, box: ViewBox, gap: TimeInterval? = nil) {
        self.box = box
        let drawn = samples.filter {
            window.contains($0.time) && $0.low.isFinite && $0.mean.isFinite && $0.high.isFinite
        }.sorted { $0.time < $1.time }
        guard let lowest = drawn.map(\.low).min(), let highest = drawn.map(\.high).max() else {
            (self.runs, self.lowest, self.highest, self.last) = ([], nil, nil, nil)
            return
        }
        self.lowest = lowest
        self.highest = highest

        func x(_ time: Date) -> Double {
            guard window.duration > 0 else { return box.width / 2 }
            return time.timeIntervalSince(window.start) / window.duration * box.width
        }
        func y(_ value: Double) -> Double {
            guard highest > lowest else { return box.height / 2 }
            return box.inset + (highest - value) / (highest - lowest) * (box.height - 2 * box.inset)
        }

        let limit = gap ?? Self.automaticGap(drawn)
        var pieces: [[Sample]] = []
        for sample in drawn {
            if let previous = pieces.last?.last, sample.time.timeIntervalSince(previous.time) <= limit {
                pieces[pieces.count - 1].append(sample)
            } else {
                pieces.append([sample])
            }
        }

        var runs: [Run] = []
        var last: Point?
        for piece in pieces {
            let columns = Self.mergedByColumn(piece.map { (x: x($0.time), sample: $0) }, width: box.width)
            let means = columns.map { Point(x: $0.x, y: y($0.mean)) }
            let highs = columns.map { Point(x: $0.x, y: y($0.high)) }
            let lows = columns.map { Point(x: $0.x, y: y($0.low)) }
            runs.append(
                Run(
                    line: Self.attribute(means), band: Self.attribute(highs + lows.reversed()),
                    hasBand: piece.contains { $0.low != $0.high },
                    single: means.count == 1 ? means[0] : nil))
            last = means.last
        }
        self.runs = runs
        self.last = last
    }

    /// Three times the median step between samples; no gap with fewer than three samples.
    static func automaticGap(_ samples: [Sample]) -> TimeInterval {
        guard samples.count >= 3 else { return .infinity }
        let steps = zip(samples.dropFirst(), samples).map { $0.time.timeIntervalSince($1.time) }.sorted()
        return 3 * steps[steps.count / 2]
    }

    /// `x,y x,y …` with one decimal.
    static func attribute(_ points: [Point]) -> String {
        points.map { DisplayFormat.fixed($0.x, decimals: 1) + "," + DisplayFormat.fixed($0.y, decimals: 1) }
            .joined(separator: " ")
    }

    private struct Column {
        var x: Double
        var low: Double
        var mean: Double
        var high: Double
    }

    /// Neighbouring samples in one column of the box become one.
    private static func mergedByColumn(_ placed: [(x: Double, sample: Sample)], width: Double) -> [Column] {
        let lastColumn = max(0, Int(width) - 1)
        var columns: [Column] = []
        var members: [(x: Double, sample: Sample)] = []
        var current = -1
        func close() {
            guard !members.isEmpty else { return }
            let count = Double(members.count)
            columns.append(
                Column(
                    x: members.map(\.x).reduce(0, +) / count, low: members.map(\.sample.low).min() ?? 0,
                    mean: members.map(\.sample.mean).reduce(0, +) / count,
                    high: members.map(\.sample.high).max() ?? 0))
            members = []
        }
        for item in placed {
            let column = min(lastColumn, max(0, Int(item.x.rounded(.down))))
            if column != current { close() }
            current = column
            members.append(item)
        }
        close()
        return columns
    }
}
