public import Hummingbird
public import HummingbirdAuth
public import NIOCore

/// The per-request context of the agent's HTTP server: who is asking (a token, a dashboard session, or nobody
/// from loopback), the session store's handle, and the peer's address that the loopback rule needs.
public struct WebRequestContext: AuthRequestContext, SessionRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: WebIdentity?
    public let sessions: SessionContext<WebSession>
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        sessions = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are small JSON documents or forms; anything past 256 KiB is refused with 413 before it is read.
    public var maxUploadSize: Int { 256 * 1024 }

    /// Whether the peer is on this machine (127.0.0.0/8 or ::1).
    public var isFromLoopback: Bool {
        guard let address = remoteAddress?.ipAddress else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}
