import Foundation
import StockpileDomain

/// How numbers appear in labels and summaries: no trailing `.0`, at most three decimals.
enum AlertText {
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        // To the thousandth in integer arithmetic: every condition of every tick has a summary, and a
        // formatter call per number was most of an evaluation's cost.
        let thousandths = (value * 1000).rounded()
        guard abs(thousandths) < 1e15 else {
            var text = String(format: "%.3f", value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        let magnitude = Int64(abs(thousandths))
        var text = thousandths < 0 ? "-" : ""
        text += String(magnitude / 1000)
        var fraction = magnitude % 1000
        guard fraction != 0 else { return text == "-" ? "0" : text }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(fraction)
        return text + "." + String(repeating: "0", count: digits - padded.count) + padded
    }
}

extension DurationText {
    /// Whole seconds in the site files' notation (`1m30s`).
    static func describeSeconds(_ seconds: Double) -> String {
        describe(.seconds(Int64(seconds.rounded(.down))))
    }
}

extension Duration {
    /// The duration in seconds, fractions included, for arithmetic with `Date`.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
