import Foundation

/// Small reads of rendered HTML for the renderer's tests (the browser suite reads the DOM instead).
enum HTMLText {
    /// The text from the first `start` to the next `end` after it (both included); nil without `start`.
    static func fragment(_ html: String, from start: String, to end: String) -> String? {
        guard let from = html.range(of: start) else { return nil }
        guard let to = html.range(of: end, range: from.upperBound..<html.endIndex) else { return nil }
        return String(html[from.lowerBound..<to.upperBound])
    }

    /// Every match of a regular expression.
    static func matches(_ pattern: String, in html: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else {
            return []
        }
        let range = NSRange(html.startIndex..<html.endIndex, in: html)
        return expression.matches(in: html, range: range).compactMap {
            Range($0.range, in: html).map { String(html[$0]) }
        }
    }

    /// How often `needle` occurs.
    static func count(_ needle: String, in html: String) -> Int {
        html.components(separatedBy: needle).count - 1
    }
}
