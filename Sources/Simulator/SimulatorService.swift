import Foundation
import Synchronization
public import Logging
public import Modbus
public import ModbusServing
public import ServiceLifecycle

/// Serves a scenario: one Modbus server per transport, and a tick that moves the models on.
///
/// `start()` opens every port and pseudo-terminal and reports where they are; `run()` advances the
/// virtual clock until graceful shutdown, then closes everything and removes the symlinks it made.
/// An RTU line's `link` replaces only a dangling symlink; anything else at the path is refused
/// (`RTULink`).
public final class SimulatorService: Service {
    /// Where a transport is served, as printed on start.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var name: String
        /// `tcp` or `rtu`.
        public var kind: String
        /// HOST:PORT, or the pty's device path.
        public var address: String
        public var port: Int?
        public var link: String?
        /// RTU: the line's wire timing (its baud), whether or not the line is paced at it.
        public var wire: RTUWireTiming?
        /// RTU: true when answers are released at wire speed (`pace: wire`).
        public var paced: Bool = false

        public var description: String {
            let line = wire.map { " (\($0)\(paced ? ", paced" : ", unpaced"))" } ?? ""
            return "\(kind) \(name) \(address)" + (link.map { " -> \($0)" } ?? "") + line
        }
    }

    public let engine: SimulationEngine
    public let clock: SimulationClock
    private let logger: Logger
    private let rtuLinkOverride: String?
    private let servers: [String: ModbusServer]
    private let terminals: [String: PseudoTerminal]
    private let madeLinks: Mutex<[RTULink]> = Mutex([])

    /// Prepares the servers; nothing listens until `start()`.
    public init(
        engine: SimulationEngine, speed: Double = 1, rtuLinkOverride: String? = nil, logger: Logger
    ) throws(ModbusError) {
        self.engine = engine
        self.clock = SimulationClock(speed: speed)
        self.logger = logger
        self.rtuLinkOverride = rtuLinkOverride
        var servers: [String: ModbusServer] = [:]
        var terminals: [String: PseudoTerminal] = [:]
        let scenario = engine.scenario
        for endpoint in scenario.tcpEndpoints {
            servers[endpoint.name] = ModbusServer(
                units: engine.banks(for: endpoint.name),
                unknownUnit: endpoint.unknownUnitSilent ? .ignore : .exception(.gatewayTargetFailedToRespond),
                behavior: TransportBehavior(transport: endpoint.name, engine: engine), logger: logger)
        }
        for line in scenario.rtuLines {
            // On a shared RS-485 line an absent unit is simply silent.
            servers[line.name] = ModbusServer(
                units: engine.banks(for: line.name), unknownUnit: .ignore,
                behavior: TransportBehavior(transport: line.name, engine: engine), logger: logger)
            terminals[line.name] = try PseudoTerminal()
        }
        self.servers = servers
        self.terminals = terminals
    }

    /// The server behind a transport, for counters and tracing.
    public func server(for transport: String) -> ModbusServer? { servers[transport] }

    /// Opens every TCP port and RTU line; a port in use is a clear error naming the transport.
    public func start() throws(SimulatorError) -> [Endpoint] {
        var endpoints: [Endpoint] = []
        let scenario = engine.scenario
        for endpoint in scenario.tcpEndpoints {
            do {
                let port = try servers[endpoint.name]!.startTCP(host: endpoint.host, port: endpoint.port)
                let address = ModbusTransport.tcp(host: endpoint.host, port: port).description
                endpoints.append(Endpoint(name: endpoint.name, kind: "tcp", address: address, port: port))
            } catch {
                stop()
                // The server's message already names the address: "cannot listen on HOST:PORT: reason".
                throw SimulatorError(
                    .listen, transport: endpoint.name, place: scenario.location(endpoint.line), cause: error,
                    message: "\(scenario.location(endpoint.line)): tcp \(endpoint.name): \(error.message)")
            }
        }
        for (index, line) in scenario.rtuLines.enumerated() {
            let terminal = terminals[line.name]!
            do {
                try servers[line.name]!.startRTU(
                    on: terminal, pacing: line.pace == .wire ? RTUWireTiming(baud: line.baud) : nil)
            } catch {
                stop()
                throw SimulatorError(
                    .openLine, transport: line.name, place: scenario.location(line.line), cause: error,
                    message: "\(scenario.location(line.line)): rtu \(line.name): \(error.message)")
            }
            var link = line.link
            if index == 0, let override = rtuLinkOverride { link = override }
            if let link {
                do {
                    let made = try RTULink.make(at: link, to: terminal.slavePath)
                    madeLinks.withLock { $0.append(made) }
                } catch {
                    stop()
                    let place = link == line.link ? "\(scenario.location(line.line)): rtu \(line.name)" : "--rtu-link"
                    throw SimulatorError(
                        .makeLink, transport: line.name, place: place, message: "\(place): \(error)")
                }
            }
            endpoints.append(
                Endpoint(
                    name: line.name, kind: "rtu", address: terminal.slavePath, link: link,
                    wire: RTUWireTiming(baud: line.baud), paced: line.pace == .wire))
        }
        return endpoints
    }

    /// Moves the models on with the virtual clock until graceful shutdown or cancellation.
    public func run() async throws {
        let tick = Duration.milliseconds(20)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let steps = self.engine.advance(to: self.clock.now)
                if steps >= 100_000 {
                    self.logger.warning("the simulation cannot keep up with --speed; raise the scenario's step")
                }
                try? await Task.sleep(for: tick)
            }
        }
        await shutDown()
    }

    /// Stops every server, removes the links made (each only if it is still the symlink made to
    /// this simulator's pty) and closes the pseudo-terminals.
    ///
    /// Blocks until every server thread has ended; from async code use `shutDown()`.
    public func stop() {
        for server in servers.values { server.stop() }
        // Before the ptys close, so that no other simulator can have been given the same pty path.
        for link in madeLinks.withLock({ links in
            defer { links = [] }; return links
        }) { link.remove() }
        for terminal in terminals.values { terminal.close() }
    }

    /// `start()` on a thread of its own: it waits for each server thread's set-up, which must not
    /// hold a thread of Swift's cooperative pool.
    public func startServing() async throws(SimulatorError) -> [Endpoint] {
        try await runOffPool("simulator start") { () throws(SimulatorError) -> [Endpoint] in try self.start() }
    }

    /// `stop()` on a thread of its own, for async callers: it joins the server threads.
    public func shutDown() async {
        await runOffPool("simulator stop") { () -> Void in self.stop() }
    }
}
