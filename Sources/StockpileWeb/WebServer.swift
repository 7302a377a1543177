import Foundation
public import HTTPTypes
import NIOCore
public import Hummingbird
import HummingbirdAuth
import HummingbirdTLS
public import Logging
import NIOSSL
import StockpileDashboard
public import ServiceLifecycle
public import StockpileDomain

/// The agent's one HTTP server: the JSON API, `/metrics`, `/healthz`, `/readyz`, `/openapi.yaml` (and the
/// dashboard's pages), behind access control, over TLS when the site file gives a certificate.
public enum WebServer {
    /// The header a session's JSON calls carry their CSRF token in (forms carry it as the `csrf` field).
    public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// The router with every route and middleware, for the application and for tests.
    ///
    /// - Throws: ``WebServerError`` when the dashboard's templates cannot be loaded.
    public static func router(
        backend: WebBackend, settings: HTTPSettings, sessions: any PersistDriver
    ) throws(WebServerError) -> Router<WebRequestContext> {
        let renderer: DashboardRenderer
        do {
            renderer = try DashboardRenderer()
        } catch {
            throw WebServerError(message: "the dashboard's templates: \(error)")
        }
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        let rendered = RenderedCache()
        router.add(middleware: ChangeInvalidation(cache: rendered))
        router.add(
            middleware: SessionMiddleware(
                storage: sessions,
                configuration: SessionMiddlewareConfiguration(
                    sessionCookieParameters: SessionCookieParameters(
                        name: "stockpile_session", path: "/", secure: !settings.insecureHTTP, sameSite: .strict),
                    keyPrefix: "session.", defaultSessionExpiration: settings.sessionLifetime)))
        let authority = TokenAuthority(entries: settings.tokens)
        router.add(middleware: AccessMiddleware(authority: authority))
        let snapshot = StatusSnapshot(database: backend.database)
        let shelf = ReportShelf(backend: backend)
        ServiceRoutes(backend: backend).register(on: router)
        DeviceRoutes(backend: backend, snapshot: snapshot, rendered: rendered).register(on: router)
        SiteRoutes(backend: backend, snapshot: snapshot, shelf: shelf).register(on: router)
        let alerts = AlertRoutes(backend: backend)
        alerts.register(on: router)
        LedgerRoutes(backend: backend).register(on: router)
        ReconciliationRoutes(backend: backend, shelf: shelf).register(on: router)
        DashboardRoutes(
            backend: backend, renderer: renderer, alerts: alerts, authority: authority, settings: settings,
            assembler: PageAssembler(
                backend: backend, snapshot: snapshot, shelf: shelf,
                climate: ClimateHistory(site: backend.site, database: backend.database)),
            rendered: rendered
        ).register(on: router)
        return router
    }

    /// The server as a `Service` for the agent's group. `onRunning` gets the port bound (useful with port 0).
    ///
    /// - Throws: ``WebServerError`` when the TLS files cannot be read.
    public static func service(
        backend: WebBackend, settings: HTTPSettings, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(WebServerError) -> any Service {
        let sessions = MemoryPersistDriver()
        let router = try router(backend: backend, settings: settings, sessions: sessions)
        let configuration = ApplicationConfiguration(
            address: .hostname(settings.address, port: settings.port), serverName: "stockpile-agent")
        let running: @Sendable (any Channel) async -> Void = { channel in
            await onRunning(channel.localAddress?.port ?? settings.port)
        }
        guard let tls = settings.tls else {
            return Application(
                router: router, configuration: configuration, services: [sessions], onServerRunning: running,
                logger: logger)
        }
        let tlsConfiguration: TLSConfiguration
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map {
                NIOSSLCertificateSource.certificate($0)
            }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            tlsConfiguration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(key))
        } catch {
            throw WebServerError(message: "http.tls: cannot load \(tls.certificate) and \(tls.key): \(error)")
        }
        do {
            return Application(
                router: router, server: try .tls(.http1(), tlsConfiguration: tlsConfiguration),
                configuration: configuration, services: [sessions], onServerRunning: running, logger: logger)
        } catch {
            throw WebServerError(message: "http.tls: \(error)")
        }
    }
}

/// The HTTP server could not be set up (its TLS files).
public struct WebServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
