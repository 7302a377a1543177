/// A page for a request that cannot be answered with its page: 403, 404 and the like.
public struct ProblemPage: Sendable, Equatable {
    /// The page's chrome.
    public var chrome: PageChrome
    /// The HTTP status.
    public var status: Int
    /// What happened, for people.
    public var text: String

    /// A problem page.
    public init(chrome: PageChrome, status: Int, text: String) {
        self.chrome = chrome
        self.status = status
        self.text = text
    }
}
