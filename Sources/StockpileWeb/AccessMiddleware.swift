public import Hummingbird
import HummingbirdAuth
public import StockpileDomain

/// Works out who a request acts as, before any route runs.
///
/// A bearer token must be one of the site file's (401 otherwise, whatever else the request carries); without
/// one, a dashboard session (its cookie, checked by the session middleware) gives its identity. Nobody at all is
/// only allowed from loopback, and only to read: every other request without a credential is 401 here, so a
/// route's existence is not told to a stranger. What each route needs beyond that, it asks with
/// ``WebRequestContext/authorize(_:csrf:)``.
public struct AccessMiddleware: RouterMiddleware {
    public typealias Context = WebRequestContext
    let authority: TokenAuthority
    /// Paths anyone may fetch: liveness and readiness carry no data.
    static let open: Set<String> = ["/healthz", "/readyz"]

    public init(authority: TokenAuthority) {
        self.authority = authority
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            guard header.count > 7, header.prefix(7).lowercased() == "bearer ",
                let entry = authority.identify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
            else { throw APIError.unauthorized }
            context.identity = WebIdentity(name: entry.name, role: entry.role, via: .token)
        } else if let session = context.sessions.session,
            // A session outlives neither its token's removal from the site file nor a change of its role.
            authority.entries.contains(where: { $0.name == session.name && $0.role == session.role })
        {
            context.identity = WebIdentity(name: session.name, role: session.role, via: .session)
        }
        if context.identity == nil, !context.isFromLoopback, !Self.open.contains(request.uri.path) {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }
}

extension WebRequestContext {
    /// Refuses a request that may not do `action`: 401 without a credential (loopback readers excepted), 403 for
    /// the wrong role, and 403 for a session's form or call that does not carry the session's CSRF token.
    /// - Returns: who acts, nil for an anonymous loopback reader.
    @discardableResult
    public func authorize(_ action: AccessAction, csrf: String? = nil) throws(APIError) -> WebIdentity? {
        guard let identity else {
            guard action == .read, isFromLoopback else { throw APIError.unauthorized }
            return nil
        }
        guard identity.role.permits(action) else { throw APIError.forbidden(action) }
        if identity.via == .session, action != .read {
            guard let expected = sessions.session?.csrf, let csrf,
                TokenAuthority.constantTimeEqual(Array(expected.utf8), Array(csrf.utf8))
            else {
                throw APIError(
                    .forbidden, code: "csrf", "the form is stale or not from this dashboard; reload the page")
            }
        }
        return identity
    }
}
