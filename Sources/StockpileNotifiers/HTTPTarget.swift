import Foundation

/// A receiver's URL split for sending: the URL requested (without user information), the
/// `Authorization` header the user information stands for, and a form safe to print.
///
/// A URL's user information (`https://user:secret@host/…`) becomes HTTP Basic authentication
/// [src: RFC 7617 §2: `Basic base64(user-id ":" password)`] and is never printed, nor is the query
/// (tokens travel there): messages and log lines name `scheme://host:port/path` only.
struct HTTPTarget: Hashable, Sendable {
    /// The URL to request, user information and fragment removed; nil when the text is no `http(s)://` URL.
    let url: String?
    /// `Basic …` when the URL carried user information.
    let authorization: String?
    /// `scheme://host:port/path`, for messages and logs.
    let redacted: String

    /// The target for `text`, with `path` appended to its path (`/api/v2/alerts` for an Alertmanager).
    init(_ text: String, appending path: String = "") {
        guard var components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            url = nil
            authorization = nil
            redacted = "(not an http or https URL)"
            return
        }
        if !path.isEmpty {
            let base = components.percentEncodedPath
            components.percentEncodedPath = (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
        }
        if let user = components.user {
            let credentials = "\(user):\(components.password ?? "")"
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        components.user = nil
        components.password = nil
        components.fragment = nil  // the client keeps it [src: RFC 3986 §3.5]
        url = components.string
        var shown = URLComponents()
        shown.scheme = scheme
        shown.host = host
        shown.port = components.port
        shown.percentEncodedPath = components.percentEncodedPath
        redacted = shown.string ?? "\(scheme)://\(host)"
    }
}
