public import Foundation

/// What every page shows around its content: the site, the page's title and time, who is signed in, and
/// the token every form that changes something sends back.
public struct PageChrome: Sendable, Equatable {
    /// The site's display name.
    public var siteName: String
    /// The site's identifier, from the site file.
    public var siteID: String
    /// The page's title, after the site's name in the browser's tab.
    public var title: String
    /// When the server assembled the page's data; ages and chart windows end here.
    public var generatedAt: Date
    /// The signed-in person's role (`viewer`, `operator`, …); nil for the anonymous loopback reader.
    public var signedInRole: String?
    /// The signed-in person's name; nil for the anonymous loopback reader.
    public var signedInName: String?
    /// The CSRF token, sent back as the hidden field `csrf` by every form that posts.
    public var csrfToken: String
    /// Seconds between the page's quiet refreshes (`data-refresh`); 0 turns them off.
    public var refreshSeconds: Int
    /// The zone instants are shown in (the site's); UTC unless told.
    public var timeZone: TimeZone

    /// A page's chrome; pages refresh every 10 s and show UTC unless told otherwise.
    public init(
        siteName: String, siteID: String, title: String, generatedAt: Date, signedInRole: String? = nil,
        signedInName: String? = nil, csrfToken: String, refreshSeconds: Int = 10, timeZone: TimeZone = .gmt
    ) {
        self.siteName = siteName
        self.siteID = siteID
        self.title = title
        self.generatedAt = generatedAt
        self.signedInRole = signedInRole
        self.signedInName = signedInName
        self.csrfToken = csrfToken
        self.refreshSeconds = refreshSeconds
        self.timeZone = timeZone
    }
}
