public import Foundation

/// The one way a JSON object tree (`probe --json`, the control channel) becomes text; it cannot fail.
///
/// `JSONSerialization` refuses a non-finite number and the callers used to print `{}` in its place,
/// losing the whole line. Here a non-finite number becomes `null` (no value, as a bad reading
/// has none) and everything else is written as given.
public enum JSONText {
    /// `object` as JSON: sorted keys, slashes unescaped, non-finite numbers as `null`; indented when `pretty`.
    public static func data(_ object: Any, pretty: Bool = false) -> Data {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]
        if pretty { options.insert(.prettyPrinted) }
        do {
            return try JSONSerialization.data(withJSONObject: finite(object), options: options)
        } catch {
            // Only a type JSON has no form for gets here (a programming error): still a valid line.
            let message = "\(error)".replacingOccurrences(of: "\"", with: "'")
            return Data("{\"error\":\"cannot encode the output as JSON: \(message)\"}".utf8)
        }
    }

    /// `object` as JSON text (one line unless `pretty`).
    public static func line(_ object: Any, pretty: Bool = false) -> String {
        String(decoding: data(object, pretty: pretty), as: UTF8.self)
    }

    /// The tree with every non-finite number replaced by `NSNull`.
    static func finite(_ object: Any) -> Any {
        switch object {
        case let number as Double: number.isFinite ? number : NSNull()
        case let number as Float: number.isFinite ? number : NSNull()
        case let dictionary as [String: Any]: dictionary.mapValues(finite)
        case let array as [Any]: array.map(finite)
        default: object
        }
    }
}
