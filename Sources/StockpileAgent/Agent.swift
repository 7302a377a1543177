import AsyncHTTPClient
import Foundation
public import Logging
public import ServiceLifecycle
public import StockpileAlerts
public import StockpileDomain
import StockpileNotifiers
public import StockpileStore

/// The agent of one site, assembled: its store, one poller per bus, and the services that run them.
///
/// `services` go into one `ServiceGroup` in this order: the store's flusher, retention, movement
/// detection, alerting, polling.
/// A group shuts down in reverse order, so on SIGTERM polling stops first (its polls in flight
/// hand over their readings), alerting stops, then the flusher writes everything that is left and
/// returns.
public struct Agent: Sendable {
    public let site: SiteConfiguration
    public let storePath: String
    public let database: AppDatabase
    public let writer: ReadingWriter
    public let pollers: [BusPoller]
    /// What the pollers last saw, for the alert rules.
    public let observations: LiveObservations
    public let alerts: AlertService
    public let services: [any Service]
    /// Held for as long as this value lives: a second agent on the same data directory is refused.
    public let directoryLock: DataDirectoryLock

    /// Opens (or creates) the site's store and sets up its pollers; nothing is polled until the
    /// services run.
    ///
    /// - Parameters:
    ///   - dataDirectory: overrides the site file's `data_directory`.
    ///   - alerting: the site file's `alerts` section, read by `AlertConfigurationParser.load(site:)`; the
    ///     defaults when nil.
    /// - Throws: ``AgentError`` when the data directory or the store cannot be opened.
    public init(
        site: SiteConfiguration, dataDirectory: String? = nil, alerting: AlertConfiguration? = nil,
        alertTick: Duration = .seconds(1), logger: Logger
    ) throws(AgentError) {
        self.site = site
        let directory = dataDirectory ?? site.dataDirectory
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw AgentError(
                .createDataDirectory, path: directory, code: ENOTDIR,
                message: "the data directory \(directory) is a file, not a directory")
        }
        if let code = Self.makeDirectory(directory) {
            throw AgentError(
                .createDataDirectory, path: directory, code: code,
                message: "cannot create the data directory \(directory): \(String(cString: strerror(code)))")
        }
        directoryLock = try DataDirectoryLock(directory: directory)
        storePath = SiteStore.path(for: site, dataDirectory: dataDirectory)
        do {
            database = try AppDatabase.open(path: storePath)
        } catch {
            throw AgentError(.openStore, path: storePath, message: "cannot open the store \(storePath): \(error)")
        }
        var storeLogger = logger
        storeLogger[metadataKey: "store"] = "\(storePath)"
        writer = ReadingWriter(database: database, logger: storeLogger)
        let configuration = alerting ?? AlertConfigurationParser.defaults(for: site)
        let observations = LiveObservations(history: .init(configuration))
        self.observations = observations
        let pollers = site.buses.compactMap { [writer] bus in
            let devices = site.devices(on: bus.name)
            return devices.isEmpty
                ? nil
                : BusPoller(bus: bus, devices: devices, writer: writer, observations: observations, logger: logger)
        }
        self.pollers = pollers
        // The process-wide client: it needs no shutdown, so an agent that is built but never run leaks nothing.
        let httpClient = HTTPClient.shared
        var alertLogger = logger
        alertLogger[metadataKey: "component"] = "alerts"
        var senders: [String: any AlertSender] = [:]
        for receiver in configuration.receivers {
            senders[receiver.name] = SenderFactory.sender(
                for: receiver, externalURL: configuration.externalURL, httpClient: httpClient, logger: alertLogger)
        }
        var beacon: (@Sendable (Bool) async -> String?)?
        if let named = configuration.beacon {
            let bus = site.devices.first { $0.name == named.device }?.bus
            if let poller = pollers.first(where: { $0.bus.name == bus }) {
                beacon = { lit in await poller.writeCoil(device: named.device, address: named.address, value: lit) }
            }
        }
        let beaconSwitch = beacon
        let database = database
        alerts = AlertService(senders: senders, tick: alertTick, logger: alertLogger) { dispatch in
            AlertLoop(
                configuration: configuration, site: site, database: database, observations: observations,
                logger: alertLogger, beacon: beaconSwitch, dispatch: dispatch)
        }
        services = [
            StoreFlushService(writer: writer, flushInterval: site.store.flushInterval),
            RetentionService(
                database: database, rawDays: site.store.rawRetentionDays,
                aggregateDays: site.store.aggregateRetentionDays, logger: storeLogger),
            MovementWatchService(site: site, database: database, logger: logger),
            alerts,
            PollingService(pollers: pollers),
        ]
    }

    /// Makes `path` and its missing parents; the errno of the step that failed, or nil.
    private static func makeDirectory(_ path: String) -> Int32? {
        var built = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            built += (built.isEmpty || built.hasSuffix("/") ? "" : "/") + component
            if mkdir(built, 0o755) != 0, errno != EEXIST { return errno }
        }
        return nil
    }
}
