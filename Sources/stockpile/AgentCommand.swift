import ArgumentParser
import Foundation
import Logging
import Metrics
import Modbus
import Prometheus
import ServiceLifecycle
import StockpileAgent
import StockpileAlerts
import StockpileDomain
import StockpileWeb

/// `stockpile agent --site SITE.yaml`: poll every device of the site into its store until SIGTERM.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Poll every device of a site into its store until SIGTERM or SIGINT.",
        discussion: """
            One scheduler per bus; devices that stop answering are quarantined with back-off.
            Logs one line per change of state (device health, bus schedule, store) on standard error.
            On SIGTERM or SIGINT: stops polling, writes what is buffered, closes the store, exits 0.
            """)

    @Option(
        help: ArgumentHelp("Site file.", valueName: "SITE.yaml"),
        transform: OptionValue.path)
    var site: String

    @Option(
        name: .customLong("data-dir"), help: ArgumentHelp("Overrides the site's data_directory.", valueName: "DIR"),
        transform: OptionValue.path)
    var dataDirectory: String?

    @Option(
        name: .customLong("devices"), help: ArgumentHelp("Extra directory of device profiles.", valueName: "DIR"),
        transform: OptionValue.directory)
    var devices: [String] = []

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(
        help: ArgumentHelp(
            "Serve the dashboard, the API and /metrics at HOST:PORT instead of the site file's http address "
                + "(default 127.0.0.1:8080; port 0: any free one).",
            valueName: "HOST:PORT"))
    var http: String?

    /// The option's name before the dashboard came: the same server, kept so that scripts go on working.
    @Option(help: .hidden)
    var metrics: String?

    func validate() throws {
        if let http, SimulateCommand.hostAndPort(http) == nil {
            throw ValidationError("--http expects HOST:PORT, such as 127.0.0.1:8080")
        }
        if let metrics, SimulateCommand.hostAndPort(metrics) == nil {
            throw ValidationError("--metrics expects HOST:PORT, such as 127.0.0.1:9464")
        }
        if http != nil, metrics != nil { throw ValidationError("--http and --metrics name the same server: give one") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        StockpileCommand.bootstrapLogging(level: Logger.Level(rawValue: logLevel) ?? .info)
        // Before any metric is made: swift-metrics takes one backend per process.
        let prometheus = DescribedMetricsFactory()
        MetricsSystem.bootstrap(prometheus)
        var logger = Logger(label: "stockpile.agent")
        let configuration = try CommandFailure.loadSite(site, devices: devices)
        let alerting: AlertConfiguration
        do {
            alerting = try AlertConfigurationParser.load(site: configuration)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        logger[metadataKey: "site"] = "\(configuration.id)"
        var settings = configuration.http
        let option = http != nil ? "--http" : metrics != nil ? "--metrics" : "\(configuration.file): http"
        if let (host, port) = (http ?? metrics).flatMap(SimulateCommand.hostAndPort) {
            settings.address = host
            settings.port = port
            if !settings.bindsLoopbackOnly, settings.tls == nil, !settings.insecureHTTP {
                throw CommandFailure.exit(
                    "\(option) \(host): reachable from other machines; the site file's http section must give tls "
                        + "(or insecure_http: true on purpose)")
            }
        }
        try ListenAddress.ensureAvailable(option: option, host: settings.address, port: settings.port)
        let agent: Agent
        do {
            agent = try Agent(site: configuration, dataDirectory: dataDirectory, alerting: alerting, logger: logger)
        } catch {
            throw CommandFailure.exit(error.description)
        }
        let started = StartupAnnouncement(lines: [
            "agent \(configuration.id): \(Plural.count(configuration.devices.count, "device")) on "
                + "\(Plural.count(agent.pollers.count, "bus", plural: "buses")), "
                + "store \(agent.storePath)"
        ])
        var services = agent.services
        let pollers = agent.pollers
        let backend = WebBackend(
            site: configuration, database: agent.database, registry: prometheus.registry,
            busesPolled: {
                Dictionary(pollers.map { ($0.bus.name, $0.completed.polls > 0) }, uniquingKeysWith: { $0 || $1 })
            }, logger: logger)
        let scheme = settings.tls == nil ? "http" : "https"
        let shown = settings.address.contains(":") ? "[\(settings.address)]" : settings.address
        do {
            services.append(
                try WebServer.service(backend: backend, settings: settings, logger: logger) { port in
                    Output.line("dashboard \(scheme)://\(shown):\(port)/")
                    Output.line("metrics \(scheme)://\(shown):\(port)/metrics")
                })
        } catch {
            throw CommandFailure.exit(error.description)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [started.configuration]
                    + services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        let written = await agent.writer.flushedReadingCount
        // The data directory stays claimed until every reading is written.
        withExtendedLifetime(agent.directoryLock) {}
        logger.notice("stopped; every buffered reading written", metadata: ["readings": "\(written)"])
    }
}
