/// The sign-in form: an access token, posted to `/login`.
public struct SignInPage: Sendable, Equatable {
    /// The page's chrome.
    public var chrome: PageChrome
    /// Why the last attempt failed; nil on the first.
    public var errorMessage: String?

    /// A sign-in page.
    public init(chrome: PageChrome, errorMessage: String? = nil) {
        self.chrome = chrome
        self.errorMessage = errorMessage
    }
}
