import Foundation

/// The chrome as the layout template reads it: every value already a string.
struct ChromeView: Sendable {
    /// Which page is shown, for the navigation's `aria-current`.
    enum Section: String, Sendable {
        case overview, device, reconciliation, signIn = "sign-in", problem
    }

    struct NavigationLink: Sendable {
        let label: String
        let href: String
        let current: Bool
    }

    struct SignedIn: Sendable {
        let name: String
        let role: String
    }

    let siteName: String
    let siteID: String
    let title: String
    let page: String
    let generatedAt: String
    let generatedAtISO: String
    let refreshSeconds: String
    let csrfToken: String
    let navigation: [NavigationLink]
    let signedIn: SignedIn?

    init(_ chrome: PageChrome, section: Section) {
        siteName = chrome.siteName
        siteID = chrome.siteID
        title = chrome.title
        page = section.rawValue
        generatedAt = DisplayFormat.instant(chrome.generatedAt, in: chrome.timeZone)
        generatedAtISO = DisplayFormat.machineInstant(chrome.generatedAt)
        // A form page has nothing to refresh, and its field would hold the refresh off anyway.
        let refreshes = section != .signIn && section != .problem
        refreshSeconds = refreshes ? String(max(0, chrome.refreshSeconds)) : "0"
        csrfToken = chrome.csrfToken
        navigation = [
            NavigationLink(label: "Overview", href: "/", current: section == .overview),
            NavigationLink(label: "Reconciliation", href: "/reconciliation", current: section == .reconciliation),
        ]
        if chrome.signedInRole != nil || chrome.signedInName != nil {
            signedIn = SignedIn(name: chrome.signedInName ?? "signed in", role: chrome.signedInRole ?? "unknown role")
        } else {
            signedIn = nil
        }
    }
}
