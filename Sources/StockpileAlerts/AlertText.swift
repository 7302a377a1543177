import Foundation
import StockpileDomain

/// How numbers appear in labels and summaries: no trailing `.0`, at most three decimals.
enum AlertText {
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
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
