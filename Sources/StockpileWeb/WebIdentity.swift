public import StockpileDomain

/// Who a request acts as, once its bearer token or session cookie is checked. The token itself is never kept.
public struct WebIdentity: Hashable, Sendable {
    /// The token's name in the site file: who did it, in the alert's and the ledger's records.
    public var name: String
    public var role: AccessRole
    public var via: Credential

    public enum Credential: String, Hashable, Sendable {
        /// `Authorization: Bearer …`.
        case token
        /// The dashboard's session cookie, made by signing in with a token; its forms carry a CSRF token.
        case session
    }

    public init(name: String, role: AccessRole, via: Credential) {
        self.name = name
        self.role = role
        self.via = via
    }
}

/// What a dashboard session keeps server-side: the identity it was made for and its CSRF token.
public struct WebSession: Codable, Hashable, Sendable {
    public var name: String
    public var role: AccessRole
    /// Random, per session; every form that changes something carries it back.
    public var csrf: String

    public init(name: String, role: AccessRole, csrf: String) {
        self.name = name
        self.role = role
        self.csrf = csrf
    }
}
