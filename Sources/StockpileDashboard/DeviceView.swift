import Foundation

/// A device page as its template reads it.
struct DeviceView: Sendable {
    /// The chart's drawing area.
    static let chartBox = ViewBox(width: 800, height: 240, inset: 8)

    struct PointView: Sendable {
        let name: String
        let value: String
        let quality: String
        let tone: String
        let age: String
    }

    struct HealthEventView: Sendable {
        let at: String
        let atISO: String
        let state: String
        let tone: String
        let reason: String
    }

    struct OptionView: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct ChartView: Sendable {
        let pointOptions: [OptionView]
        let rangeOptions: [OptionView]
        let point: String?
        let range: String
        let plot: SparklineView
        let firstTime: String
        let lastTime: String
    }

    let chrome: ChromeView
    let name: String
    let label: String
    let profile: String
    let bus: String
    let health: String
    let tone: String
    let points: [PointView]
    let healthHistory: [HealthEventView]
    let chart: ChartView

    init(_ page: DevicePage) {
        let zone = page.chrome.timeZone
        chrome = ChromeView(page.chrome, section: .device)
        name = page.name
        label = page.label
        profile = page.profile
        bus = page.bus
        health = page.health.rawValue
        tone = page.health.tone.rawValue
        points = page.points.map { point in
            let value =
                switch point.value {
                case .number(let number): DisplayFormat.value(number, unit: point.unit)
                case .text(let text): text
                case .missing: DisplayFormat.missing
                }
            return PointView(
                name: point.name, value: value, quality: point.quality.rawValue, tone: point.quality.tone.rawValue,
                age: DisplayFormat.age(seconds: point.ageSeconds))
        }
        healthHistory = page.healthHistory.map { event in
            HealthEventView(
                at: DisplayFormat.instant(event.at, in: zone), atISO: DisplayFormat.machineInstant(event.at),
                state: event.state.rawValue, tone: event.state.tone.rawValue, reason: event.reason)
        }

        let chart = page.chart
        let end = page.chrome.generatedAt
        let window = DateInterval(start: end.addingTimeInterval(-chart.range.seconds), end: end)
        let unit = chart.unit
        let plot = Sparkline(
            chart.series.map { Sparkline.Sample(time: $0.time, low: $0.min, mean: $0.mean, high: $0.max) },
            window: window, box: Self.chartBox)
        let withDay = chart.range.seconds > 24 * 3600
        self.chart = ChartView(
            pointOptions: chart.pointNames.map { OptionView(value: $0, label: $0, selected: $0 == chart.point) },
            rangeOptions: DevicePage.ChartRange.allCases.map {
                OptionView(value: $0.rawValue, label: $0.rawValue, selected: $0 == chart.range)
            },
            point: chart.point, range: chart.range.rawValue,
            plot: SparklineView(
                plot, label: "\(chart.point ?? "no point") over \(chart.range.rawValue)",
                format: { DisplayFormat.value($0, unit: unit) }),
            firstTime: DisplayFormat.clock(window.start, in: zone, withDay: withDay),
            lastTime: DisplayFormat.clock(window.end, in: zone, withDay: withDay))
    }
}
