/// The site file's `http` section: where the agent's HTTP server (dashboard, API, `/metrics`) listens, its TLS
/// files, and the tokens that may use it. Documented in `docs/site-file.md`.
public struct HTTPSettings: Hashable, Sendable {
    /// The address bound; loopback by default, so nothing is reachable from elsewhere unless the file says so.
    public var address: String = "127.0.0.1"
    /// The TCP port; 0 takes any free one.
    public var port: Int = 8080
    /// The certificate chain and private key (PEM) when the server speaks TLS.
    public var tls: TLSFiles?
    /// Plain HTTP on a non-loopback address, chosen on purpose.
    public var insecureHTTP: Bool = false
    /// The tokens that may sign in, by their SHA-256; the tokens themselves are never in the file.
    public var tokens: [AccessTokenEntry] = []
    /// How long a dashboard session lasts after sign-in.
    public var sessionLifetime: Duration = .seconds(12 * 3600)

    public init() {}

    /// The PEM files of a TLS server.
    public struct TLSFiles: Hashable, Sendable {
        public var certificate: String
        public var key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// Whether `address` reaches only this machine.
    public var bindsLoopbackOnly: Bool {
        Self.isLoopback(address)
    }

    /// `127.0.0.0/8`, `::1` and `localhost`.
    public static func isLoopback(_ address: String) -> Bool {
        let bare = address.hasPrefix("[") && address.hasSuffix("]") ? String(address.dropFirst().dropLast()) : address
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// One token line of the site file: who it is for, its role, and the SHA-256 of the token in lowercase hex.
public struct AccessTokenEntry: Hashable, Sendable {
    public var name: String
    public var role: AccessRole
    /// 32 bytes.
    public var digest: [UInt8]

    public init(name: String, role: AccessRole, digest: [UInt8]) {
        self.name = name
        self.role = role
        self.digest = digest
    }
}
