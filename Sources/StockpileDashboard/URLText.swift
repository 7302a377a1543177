import Foundation

/// Text put into a URL the pages link to: a path segment or a query value, percent-escaped.
enum URLText {
    /// RFC 3986's unreserved characters; everything else is escaped.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A path segment: `/`, `?`, `#`, `%` and spaces escaped, so a name cannot leave its segment.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// A query value: as a segment (`&`, `=` and `+` escaped too).
    static func queryValue(_ text: String) -> String {
        segment(text)
    }
}
