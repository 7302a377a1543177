/// The sign-in page as its template reads it.
struct SignInView: Sendable {
    let chrome: ChromeView
    let errorMessage: String?

    init(_ page: SignInPage) {
        chrome = ChromeView(page.chrome, section: .signIn)
        errorMessage = page.errorMessage
    }
}
