public import Yams
import Foundation

/// A YAML node with its file and field path, so every error can say where it is.
///
/// Shared by every loader (profiles, and later site and scenario files). Unknown keys are errors:
/// a misspelt field silently ignored is worse than a refusal.
public struct YAMLField {
    public let node: Node
    public let file: String
    /// The field path, such as `points[3].order`.
    public let path: String

    public init(node: Node, file: String, path: String) {
        self.node = node
        self.file = file
        self.path = path
    }

    /// A configuration file's text; an unreadable file is an error naming it, as every loader reports it.
    public static func text(ofFile path: String) throws(ConfigurationError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, line: nil, field: "", message: "cannot read the file: \(error.localizedDescription)")
        }
    }

    /// Parses a whole file's text; syntax errors carry the parser's line.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> YAMLField {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw ConfigurationError(file: file, line: nil, field: "", message: "cannot parse YAML: \(error)")
        }
        guard let root else { throw ConfigurationError(file: file, line: 1, field: "", message: "the file is empty") }
        return YAMLField(node: root, file: file, path: "")
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            ConfigurationError(file: file, line: mark.line, field: "", message: "YAML syntax: \(problem)")
        default:
            ConfigurationError(file: file, line: nil, field: "", message: "YAML syntax: \(error)")
        }
    }

    public var line: Int? { node.mark?.line }

    /// An error about this field.
    public func error(_ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line, field: path, message: message)
    }

    private func child(_ node: Node, _ component: String) -> YAMLField {
        YAMLField(node: node, file: file, path: path.isEmpty ? component : "\(path).\(component)")
    }

    // MARK: Mappings

    /// The mapping's keys, in file order; an error if this is not a mapping.
    public func keys() throws(ConfigurationError) -> [String] {
        guard let mapping = node.mapping else { throw error("expected a mapping of fields") }
        return mapping.keys.compactMap(\.string)
    }

    /// Refuses keys outside `allowed`, naming the first unknown one at its line.
    public func allowOnly(_ allowed: Set<String>) throws(ConfigurationError) {
        guard let mapping = node.mapping else { throw error("expected a mapping of fields") }
        for key in mapping.keys {
            let name = key.string ?? "?"
            if !allowed.contains(name) {
                throw ConfigurationError(
                    file: file, line: key.mark?.line, field: path.isEmpty ? name : "\(path).\(name)",
                    message: "unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    public func optional(_ key: String) throws(ConfigurationError) -> YAMLField? {
        guard let mapping = node.mapping else { throw error("expected a mapping of fields") }
        guard let value = mapping[key] else { return nil }
        if value.null != nil, value.scalar?.style == .plain { return nil }
        return child(value, key)
    }

    /// The field even when its value is an explicit `null`.
    public func present(_ key: String) throws(ConfigurationError) -> YAMLField? {
        guard let mapping = node.mapping else { throw error("expected a mapping of fields") }
        return mapping[key].map { child($0, key) }
    }

    public func required(_ key: String) throws(ConfigurationError) -> YAMLField {
        guard let value = try optional(key) else {
            throw ConfigurationError(
                file: file, line: line, field: path.isEmpty ? key : "\(path).\(key)", message: "required field is missing")
        }
        return value
    }

    /// The mapping's entries as (key, value) in file order.
    public func entries() throws(ConfigurationError) -> [(key: String, value: YAMLField)] {
        guard let mapping = node.mapping else { throw error("expected a mapping") }
        return mapping.map { pair in (pair.key.string ?? "?", child(pair.value, pair.key.string ?? "?")) }
    }

    // MARK: Sequences

    public func items() throws(ConfigurationError) -> [YAMLField] {
        guard let sequence = node.sequence else { throw error("expected a list") }
        return sequence.enumerated().map { index, item in
            YAMLField(node: item, file: file, path: "\(path)[\(index)]")
        }
    }

    // MARK: Scalars

    public func string() throws(ConfigurationError) -> String {
        guard node.scalar != nil, let value = node.string else { throw error("expected text") }
        return value
    }

    public func int() throws(ConfigurationError) -> Int {
        guard let value = node.int else { throw error("expected a whole number, found \(describe())") }
        return value
    }

    public func int(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let value = try int()
        guard range.contains(value) else { throw error("\(value) is out of range \(range.lowerBound)–\(range.upperBound)") }
        return value
    }

    public func double() throws(ConfigurationError) -> Double {
        if let value = node.int { return Double(value) }
        guard let value = node.float else { throw error("expected a number, found \(describe())") }
        return value
    }

    public func bool() throws(ConfigurationError) -> Bool {
        guard let value = node.bool else { throw error("expected true or false, found \(describe())") }
        return value
    }

    /// One of an enum's raw values, listing the choices when it is not.
    public func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(ConfigurationError) -> T
    where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw error("unknown value \"\(text)\" (use \(choices))")
        }
        return value
    }

    /// Milliseconds as a Duration.
    public func milliseconds() throws(ConfigurationError) -> Duration {
        let value = try double()
        guard value >= 0 else { throw error("must not be negative") }
        return .microseconds(Int64(value * 1000))
    }

    /// A list of texts, or one text as a list of one.
    public func strings() throws(ConfigurationError) -> [String] {
        if node.sequence != nil {
            var result: [String] = []
            for item in try items() { result.append(try item.string()) }
            return result
        }
        return [try string()]
    }

    private func describe() -> String {
        if let scalar = node.scalar { return "\"\(scalar.string)\"" }
        return node.mapping != nil ? "a mapping" : "a list"
    }
}
