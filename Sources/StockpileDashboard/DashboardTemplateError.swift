/// A template the renderer could not load: missing, unreadable, or not valid Mustache.
public struct DashboardTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The template's file is not among the resources.
        case missing
        /// The file could not be read as UTF-8.
        case unreadable
        /// The file is not valid Mustache.
        case syntax
    }

    /// The template's name (`overview`) — its file is `Templates/<name>.mustache`.
    public let template: String
    /// What went wrong.
    public let kind: Kind
    /// The line, for a syntax error (1-based).
    public let line: Int?
    /// The column, for a syntax error (1-based).
    public let column: Int?
    /// The parser's or the file system's words.
    public let message: String

    /// `Templates/overview.mustache:12:5: …`.
    public var description: String {
        var place = "Templates/\(template).mustache"
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(message)"
    }
}
