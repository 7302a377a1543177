/// A problem page as its template reads it.
struct ProblemView: Sendable {
    let chrome: ChromeView
    let status: String
    let reason: String
    let text: String

    init(_ page: ProblemPage) {
        chrome = ChromeView(page.chrome, section: .problem)
        status = String(page.status)
        reason = Self.reasons[page.status] ?? "Error"
        text = page.text
    }

    /// The reason phrases of the statuses a dashboard answers with a page.
    static let reasons: [Int: String] = [
        400: "Bad request", 401: "Sign-in required", 403: "Not allowed", 404: "Not found", 405: "Method not allowed",
        409: "Conflict", 413: "Too large", 429: "Too many requests", 500: "Internal error", 503: "Unavailable",
    ]
}
