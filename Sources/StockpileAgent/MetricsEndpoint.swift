public import Hummingbird
public import Logging
public import Prometheus

/// `GET /metrics`: the agent's swift-metrics in the Prometheus text format, for a scraper.
///
/// The process bootstraps swift-metrics with a `PrometheusMetricsFactory` over `registry`; this
/// only reads it. Anything else is 404.
public enum MetricsEndpoint {
    /// The HTTP application, a `Service` for the agent's `ServiceGroup`. `onRunning` gets the port
    /// bound (useful with port 0).
    public static func application(
        registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "stockpile-agent"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
