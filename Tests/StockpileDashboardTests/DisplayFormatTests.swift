import Foundation
import Testing

@testable import StockpileDashboard

@Suite("DisplayFormat")
struct DisplayFormatTests {
    @Test("weights, temperatures and humidities have one decimal and their unit")
    func oneDecimal() {
        #expect(DisplayFormat.kilograms(24_512.34) == "24512.3 kg")
        #expect(DisplayFormat.kilograms(nil) == "—")
        #expect(DisplayFormat.celsius(18.44) == "18.4 °C")
        #expect(DisplayFormat.celsius(-3.06) == "-3.1 °C")
        #expect(DisplayFormat.relativeHumidity(61.26) == "61.3 %RH")
        #expect(DisplayFormat.value(12.125, unit: "°C") == "12.1 °C")
        #expect(DisplayFormat.value(3.25, unit: "bar") == "3.25 bar")
        #expect(DisplayFormat.value(7, unit: nil) == "7")
    }

    @Test("variances carry their sign, and a rounded zero none")
    func signs() {
        #expect(DisplayFormat.signedKilograms(12.34) == "+12.3 kg")
        #expect(DisplayFormat.signedKilograms(-587.5) == "-587.5 kg")
        #expect(DisplayFormat.signedKilograms(-0.04) == "0.0 kg")
        #expect(DisplayFormat.signedPercent(-1.958) == "-1.96 %")
        #expect(DisplayFormat.kilograms(-0.01) == "0.0 kg")
    }

    @Test(
        "ages are seconds, minutes, hours, then days",
        arguments: [
            (0.0, "0 s"), (59.9, "59 s"), (60, "1 min"), (3_599, "59 min"), (3_600, "1 h"), (7_300, "2 h"),
            (172_799, "47 h"), (172_800, "2 d"), (-5, "0 s"),
        ])
    func ages(seconds: Double, text: String) {
        #expect(DisplayFormat.age(seconds: seconds) == text)
    }

    @Test("an unknown age is the missing mark")
    func unknownAge() {
        #expect(DisplayFormat.age(seconds: nil) == "—")
        #expect(DisplayFormat.age(seconds: .infinity) == "—")
    }

    @Test("instants are written in the page's zone, and in UTC for machines")
    func instants() throws {
        let instant = Date(timeIntervalSince1970: 1_796_191_200)
        #expect(DisplayFormat.instant(instant, in: .gmt) == "2026-12-02 06:00:00 UTC")
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(DisplayFormat.instant(instant, in: berlin) == "2026-12-02 07:00:00 UTC+01:00")
        let newfoundland = try #require(TimeZone(identifier: "America/St_Johns"))
        #expect(DisplayFormat.instant(instant, in: newfoundland) == "2026-12-02 02:30:00 UTC-03:30")
        #expect(DisplayFormat.machineInstant(instant) == "2026-12-02T06:00:00Z")
        #expect(DisplayFormat.clock(instant, in: .gmt, withDay: false) == "06:00")
        #expect(DisplayFormat.clock(instant, in: .gmt, withDay: true) == "12-02 06:00")
    }

    @Test("names in URLs cannot leave their path segment or query value")
    func urlText() {
        #expect(URLText.segment("climate a/1") == "climate%20a%2F1")
        #expect(URLText.segment("../x?y#z%") == "..%2Fx%3Fy%23z%25")
        #expect(URLText.queryValue("2026-12-02T06:00:00+01:00&x=1") == "2026-12-02T06%3A00%3A00%2B01%3A00%26x%3D1")
    }
}
