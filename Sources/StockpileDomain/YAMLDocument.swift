package import Yams
import Foundation

/// A YAML node with its file and field path, so every error can say where it is.
///
/// Shared by every loader (profiles, and later site and scenario files). Unknown keys are errors:
/// a misspelt field silently ignored is worse than a refusal.
public struct YAMLField {
    /// The parsed node: for the package's loaders, never part of the public API (which speaks in
    /// the typed accessors below).
    package let node: Node
    public let file: String
    /// The field path, such as `points[3].order`.
    public let path: String

    package init(node: Node, file: String, path: String) {
        self.node = node
        self.file = file
        self.path = path
    }

    /// A configuration file's text; an unreadable file is an error naming it, as every loader reports it.
    ///
    /// The reason is said in words (no such file, a directory, permission denied, not UTF-8),
    /// never as a Foundation error number.
    public static func text(ofFile path: String) throws(ConfigurationError) -> String {
        func failure(_ message: String) -> ConfigurationError {
            ConfigurationError(file: path, line: nil, field: "", message: message)
        }
        if path.isEmpty { throw failure("no file named (an empty path)") }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw failure(errno == EACCES ? "cannot read the file: permission denied" : "no such file")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw failure("is a directory, not a file")
        // A FIFO or a device would block the read or never end: a configuration is a plain file.
        default: throw failure("is not a regular file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw failure("cannot read the file: permission denied or not a regular file")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            guard let read = try handle.readToEnd() else { return "" }
            data = read
        } catch {
            throw failure("cannot read the file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("is not UTF-8 text") }
        return text
    }

    /// Parses a whole file's text; syntax errors carry the parser's line.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> YAMLField {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            if case .duplicatedKeysInMapping(let duplicates, let context) = error {
                throw duplicateKeyError(duplicates, near: context.mark.line, text: text, file: file)
            }
            throw syntaxError(error, file: file)
        } catch {
            throw ConfigurationError(file: file, line: nil, field: "", message: "cannot parse YAML: \(error)")
        }
        guard let root else { throw ConfigurationError(file: file, line: 1, field: "", message: "the file is empty") }
        return YAMLField(node: root, file: file, path: "")
    }

    /// A key given twice, at the line of its second use: YAML readers disagree on which one wins.
    ///
    /// Yams names the key and the mapping's line only; the two uses are the first two lines from
    /// there that give the key at the same indentation.
    private static func duplicateKeyError(
        _ keys: [String], near line: Int, text: String, file: String
    )
        -> ConfigurationError
    {
        let key = keys.sorted().first ?? "?"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var firstByIndent: [Int: Int] = [:]
        for index in max(0, line - 2)..<lines.count {
            var content = Substring(lines[index])
            let indent = content.prefix { $0 == " " }.count
            content = content.dropFirst(indent)
            if content.hasPrefix("- ") { content = content.dropFirst(2) }
            guard content.hasPrefix(key), content.dropFirst(key.count).drop(while: { $0 == " " }).hasPrefix(":") else {
                continue
            }
            let column = lines[index].count - content.count
            if let first = firstByIndent[column] {
                return ConfigurationError(
                    file: file, line: index + 1, field: key, message: "the key is given twice (first at line \(first))")
            }
            firstByIndent[column] = index + 1
        }
        return ConfigurationError(file: file, line: line, field: key, message: "the key is given twice in this mapping")
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
                file: file, line: line, field: path.isEmpty ? key : "\(path).\(key)",
                message: "required field is missing")
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

    /// Text that is not empty (nor only spaces).
    public func nonEmptyString() throws(ConfigurationError) -> String {
        let value = try string()
        guard value.contains(where: { !$0.isWhitespace }) else { throw error("must not be empty") }
        return value
    }

    public func int() throws(ConfigurationError) -> Int {
        guard let value = node.int else {
            if let number = node.float, number.isFinite, number == number.rounded() {
                throw error("\(describe()) is too large for a whole number here")
            }
            throw error("expected a whole number, found \(describe())")
        }
        return value
    }

    public func int(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let value = try int()
        guard range.contains(value) else {
            throw error("\(value) is out of range \(range.lowerBound)–\(range.upperBound)")
        }
        return value
    }

    /// A finite number: `.inf` and `.nan` are refused here, so no loader can take one as a value.
    public func double() throws(ConfigurationError) -> Double {
        if let value = node.int { return Double(value) }
        guard let value = node.float else { throw error("expected a number, found \(describe())") }
        guard value.isFinite else { throw error("\(describe()) is not a finite number") }
        return value
    }

    /// A finite number within `range` (through `CheckedNumber`, as every option is read).
    public func double(in range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        let value = try double()
        do {
            return try CheckedNumber.check(value, in: range)
        } catch {
            throw self.error(error.message)
        }
    }

    /// A plain `null` (or `~`, or nothing), as opposed to the string "null".
    public var isNull: Bool {
        node.null != nil && node.scalar?.style == .plain
    }

    /// The value when it is a YAML boolean and not a number, nil otherwise.
    public var booleanValue: Bool? {
        guard let bool = node.bool, node.int == nil else { return nil }
        return bool
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

    /// Milliseconds (0 to one hour) as a Duration.
    public func milliseconds() throws(ConfigurationError) -> Duration {
        let value = try double(in: 0...3_600_000)
        return .microseconds(Int64((value * 1000).rounded()))
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
