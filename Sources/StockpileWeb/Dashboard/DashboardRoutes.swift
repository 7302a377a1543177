import Foundation
import Hummingbird
import HummingbirdAuth
import StockpileAlerts
import StockpileDashboard
import StockpileDomain
import StockpileLedger
import StockpileStore

/// The dashboard's pages: the overview, a device, the reconciliation, signing in and out, and acknowledging
/// an alert from its form. Pages are rendered by `StockpileDashboard` from view models assembled here from the
/// same reads the API makes; a refusal is a page with its status, not JSON.
struct DashboardRoutes {
    let backend: WebBackend
    let renderer: DashboardRenderer
    let alerts: AlertRoutes
    let authority: TokenAuthority
    let settings: HTTPSettings
    let assembler: PageAssembler
    let rendered: RenderedCache

    /// The cookie that carries the sign-in form's CSRF token before there is a session (double submit).
    static let signInCookie = "stockpile_sign_in"

    func register(on router: Router<WebRequestContext>) {
        router.get("/") { _, context in
            do {
                try context.authorize(.read)
                // Rendered once a second for each viewer (role, name and form token are on the page), not per request.
                let viewer = context.identity.map { "\($0.role.rawValue)|\($0.name)" } ?? ""
                let key = "overview|\(viewer)|\(context.sessions.session?.csrf ?? "")"
                let data = try await rendered.bytes(for: key, now: Date()) { [self] in
                    let page = try await assembler.overview(chrome: chrome(context), context: context)
                    return try await RenderQueue.run { [renderer] in Data(renderer.overview(page).utf8) }
                }
                return Self.html(ByteBuffer(bytes: data))
            } catch let error as APIError {
                return try await page(context, status: error.status) { _ in throw error }
            }
        }
        router.get("/devices/:device") { request, context in
            try await page(context) { chrome in
                let name = try context.parameters.require("device")
                return renderer.device(try await assembler.device(name, request: request, chrome: chrome))
            }
        }
        router.get("/reconciliation") { _, context in
            try await page(context) { chrome in
                renderer.reconciliation(try await assembler.reconciliation(chrome: chrome))
            }
        }
        router.get("/login") { _, context in
            let token = WebSessionTokens.random()
            var response = try await page(context, csrf: token) { chrome in renderer.signIn(SignInPage(chrome: chrome))
            }
            response.setCookie(
                Cookie(
                    name: Self.signInCookie, value: token, maxAge: 3600, path: "/login", secure: !settings.insecureHTTP,
                    httpOnly: true, sameSite: .strict))
            return response
        }
        router.post("/login") { request, context in
            let form = try await Form.read(request, context: context)
            guard let expected = request.cookies[Self.signInCookie]?.value, let given = form["csrf"],
                TokenAuthority.constantTimeEqual(Array(expected.utf8), Array(given.utf8))
            else {
                return try await page(context, status: .forbidden, csrf: "") { chrome in
                    renderer.signIn(
                        SignInPage(chrome: chrome, errorMessage: "The form is stale: open the sign-in page again."))
                }
            }
            guard let token = form["token"], let entry = authority.identify(token.trimmingCharacters(in: .whitespaces))
            else {
                return try await page(context, status: .unauthorized, csrf: expected) { chrome in
                    renderer.signIn(SignInPage(chrome: chrome, errorMessage: "That token is not one of this site's."))
                }
            }
            context.sessions.createSession(
                WebSession(name: entry.name, role: entry.role, csrf: WebSessionTokens.random()),
                expiresIn: settings.sessionLifetime)
            context.logger.notice("signed in", metadata: ["name": "\(entry.name)", "role": "\(entry.role.rawValue)"])
            return Self.redirect(to: "/")
        }
        router.post("/logout") { request, context in
            let form = try await Form.read(request, context: context)
            try context.authorize(.read)
            if let session = context.sessions.session {
                guard let given = form["csrf"],
                    TokenAuthority.constantTimeEqual(Array(session.csrf.utf8), Array(given.utf8))
                else { throw APIError(.forbidden, code: "csrf", "the form is stale; reload the page") }
                context.sessions.clearSession()
            }
            return Self.redirect(to: "/")
        }
        router.post("/alerts/:id/ack") { request, context in
            do {
                let form = try await Form.read(request, context: context)
                let identity = try context.authorize(.acknowledge, csrf: form["csrf"])
                let text = try context.parameters.require("id")
                guard let id = Int(text), let alert = try await backend.database.alert(id: id) else {
                    throw APIError.notFound("no alert #\(text.prefix(32))")
                }
                _ = try await alerts.acknowledge(alert, by: identity?.name ?? "?", comment: form["comment"] ?? "")
                return Self.redirect(to: "/")
            } catch let error as APIError {
                return try await page(context, status: error.status) { _ in throw error }
            }
        }
    }

    static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }

    /// Renders what `body` makes inside the page chrome; an ``APIError`` becomes a problem page with its status.
    func page(
        _ context: WebRequestContext, status: HTTPResponse.Status = .ok, csrf: String? = nil,
        _ body: (PageChrome) async throws -> String
    ) async throws -> Response {
        let chrome = PageChrome(
            siteName: backend.site.name, siteID: backend.site.id, title: backend.site.name,
            generatedAt: backend.clock(),
            signedInRole: context.identity?.role.rawValue, signedInName: context.identity?.name,
            csrfToken: csrf ?? context.sessions.session?.csrf ?? "")
        do {
            try context.authorize(.read)
            return Self.html(try await body(chrome), status: status)
        } catch let error as APIError {
            var problem = chrome
            problem.refreshSeconds = 0
            return Self.html(
                renderer.problem(ProblemPage(chrome: problem, status: Int(error.status.code), text: error.message)),
                status: error.status)
        }
    }

    /// The chrome of a page for who is asking, as of now.
    func chrome(_ context: WebRequestContext, csrf: String? = nil) -> PageChrome {
        PageChrome(
            siteName: backend.site.name, siteID: backend.site.id, title: backend.site.name,
            generatedAt: backend.clock(),
            signedInRole: context.identity?.role.rawValue, signedInName: context.identity?.name,
            csrfToken: csrf ?? context.sessions.session?.csrf ?? "")
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        html(ByteBuffer(string: text), status: status)
    }

    static func html(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .init("X-Frame-Options")!: "DENY", .init("Content-Security-Policy")!: Self.contentSecurityPolicy,
            ],
            body: ResponseBody(byteBuffer: buffer))
    }

    /// Nothing from elsewhere: the pages carry their style and script inline.
    static let contentSecurityPolicy =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "form-action 'self'; frame-ancestors 'none'"
}

/// Random tokens for sessions' and forms' CSRF protection: 32 bytes from the system's generator, hex.
enum WebSessionTokens {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}

/// An `application/x-www-form-urlencoded` body, read within the upload limit.
enum Form {
    static func read(_ request: Request, context: WebRequestContext) async throws -> [String: String] {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: context.maxUploadSize)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", "the form is larger than 256 KiB")
        }
        // Parsed by hand rather than through URLComponents, whose setter stops the process on bad escapes.
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) throws -> String {
                guard let value = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw APIError.badRequest("bad_form", "the form's fields are not percent-encoded")
                }
                return value
            }
            let name = try decoded(parts[0])
            if fields[name] == nil { fields[name] = try decoded(parts.count > 1 ? parts[1] : "") }
        }
        return fields
    }
}
