public import Foundation
public import Logging
public import Prometheus
public import StockpileDomain
public import StockpileStore

/// What the HTTP server serves from: the site, its store, the agent's metrics and how far polling has come.
/// Routes only read through it, or write through the store's own checked paths (the ledger's, the alerts'
/// request table), so the server adds no second way to change anything.
public struct WebBackend: Sendable {
    public var site: SiteConfiguration
    public var database: AppDatabase
    /// The agent's metrics, served at `/metrics`; nil when the process has no Prometheus backend.
    public var registry: PrometheusCollectorRegistry?
    /// For `/readyz`: each bus by name, and whether it has completed a poll.
    public var busesPolled: @Sendable () async -> [String: Bool]
    /// Whether an agent runs in this process and answers alert requests (acknowledgements).
    public var answersAlertRequests: Bool
    public var clock: @Sendable () -> Date
    public var logger: Logger

    public init(
        site: SiteConfiguration, database: AppDatabase, registry: PrometheusCollectorRegistry? = nil,
        busesPolled: @escaping @Sendable () async -> [String: Bool] = { [:] }, answersAlertRequests: Bool = true,
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.site = site
        self.database = database
        self.registry = registry
        self.busesPolled = busesPolled
        self.answersAlertRequests = answersAlertRequests
        self.clock = clock
        self.logger = logger
    }
}
