/// One condition on a label, as Alertmanager's matchers write it: `device=bay-b1-scale`,
/// `severity!=info`, `zone=~bay-.*`, `bus!~line.*`.
///
/// A label the alert does not have matches as the empty string, and a regular expression must match
/// the whole value, as in Alertmanager [src: prometheus/alertmanager docs/configuration.md, matchers].
public struct LabelMatcher: Hashable, Sendable, Codable, CustomStringConvertible {
    /// How the value is compared.
    public enum Operator: String, Hashable, Sendable, Codable, CaseIterable {
        /// The value is exactly this.
        case equal = "="
        /// The value is anything but this.
        case notEqual = "!="
        /// The whole value matches the regular expression.
        case matchesRegex = "=~"
        /// The whole value does not match the regular expression.
        case notMatchesRegex = "!~"
    }

    /// Why a matcher was refused.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The matcher as written.
        public var text: String
        /// Why it was refused.
        public var message: String

        /// `"zone=~(": …`.
        public var description: String { "\"\(text)\": \(message)" }
    }

    /// The label's name.
    public var name: String
    /// How the value is compared.
    public var op: Operator
    /// The value, or the regular expression.
    public var value: String

    /// A matcher; a regular expression is checked here, so a stored matcher always compiles.
    public init(_ name: String, _ op: Operator, _ value: String) throws(ParseError) {
        let text = "\(name)\(op.rawValue)\(value)"
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw ParseError(text: text, message: "a label name is letters, digits and '_'")
        }
        if op == .matchesRegex || op == .notMatchesRegex {
            do {
                _ = try Regex(value)
            } catch {
                throw ParseError(text: text, message: "not a regular expression (\(error))")
            }
        }
        self.name = name
        self.op = op
        self.value = value
    }

    /// Parses `name=value`, `name!=value`, `name=~regex` or `name!~regex`.
    public init(parsing text: String) throws(ParseError) {
        guard let index = text.firstIndex(where: { $0 == "=" || $0 == "!" }) else {
            throw ParseError(text: text, message: "expected name=value, name!=value, name=~regex or name!~regex")
        }
        let name = String(text[..<index])
        let rest = text[index...]
        let op: Operator
        if rest.hasPrefix("=~") {
            op = .matchesRegex
        } else if rest.hasPrefix("!~") {
            op = .notMatchesRegex
        } else if rest.hasPrefix("!=") {
            op = .notEqual
        } else if rest.hasPrefix("=") {
            op = .equal
        } else {
            throw ParseError(text: text, message: "expected =, !=, =~ or !~ after the label name")
        }
        try self.init(name, op, String(rest.dropFirst(op.rawValue.count)))
    }

    /// Whether a label set satisfies the matcher.
    public func matches(_ labels: [String: String]) -> Bool {
        let actual = labels[name] ?? ""
        switch op {
        case .equal: return actual == value
        case .notEqual: return actual != value
        case .matchesRegex, .notMatchesRegex:
            let whole = (try? Regex(value)).map { (try? $0.wholeMatch(in: actual)) != nil } ?? false
            return whole == (op == .matchesRegex)
        }
    }

    /// `name=value` as parsed.
    public var description: String { "\(name)\(op.rawValue)\(value)" }
}
