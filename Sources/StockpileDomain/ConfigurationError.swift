/// A mistake in a profile, site or scenario file, located for the person who has to fix it.
///
/// Prints as `FILE:LINE: FIELD: MESSAGE`, the form editors and CI logs link to.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line, when the YAML parser could tell.
    public var line: Int?
    /// The field's path, such as `points[3].order`.
    public var field: String
    public var message: String

    public init(file: String, line: Int?, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return field.isEmpty ? "\(location): \(message)" : "\(location): \(field): \(message)"
    }
}
