import Foundation
import Testing

@testable import StockpileDashboard

@Suite("Sparkline")
struct SparklineTests {
    let start = Date(timeIntervalSince1970: 1_000_000)
    let box = ViewBox(width: 100, height: 20, inset: 2)

    func window(_ seconds: TimeInterval) -> DateInterval {
        DateInterval(start: start, duration: seconds)
    }

    func samples(_ pairs: [(TimeInterval, Double)]) -> [Sparkline.Sample] {
        pairs.map { Sparkline.Sample(time: start.addingTimeInterval($0.0), value: $0.1) }
    }

    @Test("time maps left to right over the window, values bottom to top between the extremes")
    func mapsThreePoints() {
        let line = Sparkline(samples([(0, 10), (50, 20), (100, 15)]), window: window(100), box: box)
        // y = inset + (highest - v) / (highest - lowest) * (height - 2 inset) = 2 + (20 - v) / 10 * 16
        #expect(line.runs.map(\.line) == ["0.0,18.0 50.0,2.0 100.0,10.0"])
        #expect(line.runs.map(\.band) == ["0.0,18.0 50.0,2.0 100.0,10.0 100.0,10.0 50.0,2.0 0.0,18.0"])
        #expect(line.lowest == 10)
        #expect(line.highest == 20)
        #expect(line.last == Sparkline.Point(x: 100, y: 10))
        #expect(line.runs[0].single == nil)
        #expect(line.runs[0].hasBand == false)
        #expect(box.attribute == "0 0 100 20")
    }

    @Test("one sample is drawn at half height and marked as a single point")
    func onePoint() {
        let line = Sparkline(samples([(25, 7)]), window: window(100), box: box)
        #expect(line.runs.map(\.line) == ["25.0,10.0"])
        #expect(line.runs[0].single == Sparkline.Point(x: 25, y: 10))
        #expect(line.lowest == 7 && line.highest == 7)
    }

    @Test("a flat series is drawn at half height")
    func flatSeries() {
        let line = Sparkline(samples([(0, 5), (20, 5), (40, 5)]), window: window(100), box: box)
        #expect(line.runs.map(\.line) == ["0.0,10.0 20.0,10.0 40.0,10.0"])
    }

    @Test("a step longer than three median steps breaks the line into runs")
    func gapsBreakTheLine() {
        let line = Sparkline(
            samples([(0, 0), (10, 1), (20, 2), (30, 3), (80, 4), (90, 5)]), window: window(100), box: box)
        // Steps 10, 10, 10, 50, 10: median 10, gap 30; y = 2 + (5 - v) / 5 * 16.
        #expect(line.runs.map(\.line) == ["0.0,18.0 10.0,14.8 20.0,11.6 30.0,8.4", "80.0,5.2 90.0,2.0"])
        #expect(line.last == Sparkline.Point(x: 90, y: 2))
    }

    @Test("an explicit gap overrides the automatic one")
    func explicitGap() {
        let line = Sparkline(samples([(0, 0), (10, 1), (20, 2)]), window: window(100), box: box, gap: 5)
        #expect(line.runs.count == 3)
        #expect(line.runs.allSatisfy { $0.single != nil })
    }

    @Test("samples in one column of the box become one point: mean of means, lowest low, highest high")
    func mergesAColumn() {
        let narrow = ViewBox(width: 10, height: 20, inset: 2)
        let line = Sparkline(samples([(0.2, 1), (0.6, 3), (5, 2)]), window: window(10), box: narrow, gap: 100)
        // Column 0: x 0.4, mean 2, low 1, high 3; y = 2 + (3 - v) / 2 * 16.
        #expect(line.runs.map(\.line) == ["0.4,10.0 5.0,10.0"])
        #expect(line.runs.map(\.band) == ["0.4,2.0 5.0,10.0 5.0,10.0 0.4,18.0"])
    }

    @Test("a day of minute means is at most one point per column")
    func capsPoints() {
        let day = (0..<1440).map {
            Sparkline.Sample(time: start.addingTimeInterval(Double($0) * 60), value: Double($0 % 7))
        }
        let line = Sparkline(day, window: window(86_400), box: ViewBox(width: 240, height: 48, inset: 3))
        #expect(line.runs.count == 1)
        #expect(line.runs[0].line.split(separator: " ").count == 240)
    }

    @Test("the band runs along the highs and back along the lows")
    func minMaxBand() {
        let line = Sparkline(
            [
                .init(time: start, low: 1, mean: 2, high: 3),
                .init(time: start.addingTimeInterval(100), low: 2, mean: 3, high: 4),
            ], window: window(100), box: box)
        // y = 2 + (4 - v) / 3 * 16
        #expect(line.runs.map(\.line) == ["0.0,12.7 100.0,7.3"])
        #expect(line.runs.map(\.band) == ["0.0,7.3 100.0,2.0 100.0,12.7 0.0,18.0"])
        #expect(line.runs.map(\.hasBand) == [true])
    }

    @Test("samples outside the window or not finite are left out; none leaves no runs")
    func outsideTheWindow() {
        let line = Sparkline(samples([(-10, 1), (110, 2), (50, .nan)]), window: window(100), box: box)
        #expect(line.runs.isEmpty)
        #expect(line.lowest == nil && line.highest == nil && line.last == nil)
    }

    @Test("a window of no length puts the points at half width")
    func emptyWindow() {
        let line = Sparkline(samples([(0, 1)]), window: window(0), box: box)
        #expect(line.runs.map(\.line) == ["50.0,10.0"])
    }
}
