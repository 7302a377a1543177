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
            "Serve the agent's metrics for Prometheus at http://HOST:PORT/metrics (port 0: any free one).",
            valueName: "HOST:PORT"))
    var metrics: String?

    func validate() throws {
        if let metrics, SimulateCommand.hostAndPort(metrics) == nil {
            throw ValidationError("--metrics expects HOST:PORT, such as 127.0.0.1:9464")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        StockpileCommand.bootstrapLogging(level: Logger.Level(rawValue: logLevel) ?? .info)
        if let metrics, let (host, port) = SimulateCommand.hostAndPort(metrics) {
            try ListenAddress.ensureAvailable(option: "--metrics", host: host, port: port)
        }
        // Before any metric is made: swift-metrics takes one backend per process.
        let prometheus = metrics.map { _ in DescribedMetricsFactory() }
        if let prometheus { MetricsSystem.bootstrap(prometheus) }
        var logger = Logger(label: "stockpile.agent")
        let configuration = try CommandFailure.loadSite(site, devices: devices)
        let alerting: AlertConfiguration
        do {
            alerting = try AlertConfigurationParser.load(site: configuration)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        logger[metadataKey: "site"] = "\(configuration.id)"
        let agent: Agent
        do {
            agent = try Agent(site: configuration, dataDirectory: dataDirectory, alerting: alerting, logger: logger)
        } catch {
            throw CommandFailure.exit(error.description)
        }
        Output.line(
            "agent \(configuration.id): \(Plural.count(configuration.devices.count, "device")) on "
                + "\(Plural.count(agent.pollers.count, "bus", plural: "buses")), "
                + "store \(agent.storePath)")
        var services = agent.services
        if let prometheus, let metrics, let (host, port) = SimulateCommand.hostAndPort(metrics) {
            let shown = host.contains(":") ? "[\(host)]" : host
            services.append(
                MetricsEndpoint.application(registry: prometheus.registry, host: host, port: port, logger: logger) {
                    Output.line("metrics http://\(shown):\($0)/metrics")
                })
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
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
