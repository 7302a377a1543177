import Foundation

/// A sparkline or chart as the templates read it: the view box, the runs, and labelled extremes.
struct SparklineView: Sendable {
    struct Marker: Sendable {
        let x: String
        let y: String
    }

    struct RunView: Sendable {
        let line: String
        let band: String
        /// Whether the run's samples spread (a sparkline's do not: its band would be a line of no area).
        let hasBand: Bool
        let single: Marker?
    }

    let hasData: Bool
    let viewBox: String
    let runs: [RunView]
    let last: Marker?
    let minimum: String
    let maximum: String
    let label: String

    /// `format` writes a value with its unit; `label` names the series for screen readers.
    init(_ sparkline: Sparkline, label: String, format: (Double) -> String) {
        hasData = !sparkline.runs.isEmpty
        viewBox = sparkline.box.attribute
        runs = sparkline.runs.map { run in
            RunView(
                line: run.line, band: run.band, hasBand: run.hasBand, single: run.single.map(Self.marker))
        }
        last = sparkline.last.map(Self.marker)
        minimum = sparkline.lowest.map(format) ?? DisplayFormat.missing
        maximum = sparkline.highest.map(format) ?? DisplayFormat.missing
        self.label = hasData ? "\(label), from \(minimum) to \(maximum)" : "\(label): no data"
    }

    private static func marker(_ point: Sparkline.Point) -> Marker {
        Marker(x: DisplayFormat.fixed(point.x, decimals: 1), y: DisplayFormat.fixed(point.y, decimals: 1))
    }
}
