import ArgumentParser
import Foundation
import Logging
import Modbus
import ServiceLifecycle
import Simulator
import SimulatorCore
import StockpileDomain

/// `stockpile simulate`: serve a simulated warehouse over Modbus TCP and RTU.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a simulated warehouse of scales and sensors over Modbus TCP and RTU.",
        discussion: "The scenario format is documented in Simulators/README.md.")

    @Option(
        help: ArgumentHelp("Scenario file.", valueName: "PATH"),
        transform: OptionValue.path)
    var scenario: String

    @Option(
        parsing: .unconditional, help: "Seed for every device's noise (default: the scenario's).",
        transform: OptionValue.seed)
    var seed: UInt64?

    @Option(
        parsing: .unconditional, help: "Simulated seconds per real second, 0.001–10000.",
        transform: OptionValue.double(in: 0.001...10_000))
    var speed: Double = 1

    @Option(help: ArgumentHelp("HTTP/JSON control channel on loopback.", valueName: "HOST:PORT"))
    var control: String?

    @Option(
        name: .customLong("rtu-link"), help: ArgumentHelp("Symlink to the first RTU line's pty.", valueName: "PATH"),
        transform: OptionValue.path)
    var rtuLink: String?

    @Option(
        name: .customLong("devices"), help: ArgumentHelp("Extra directory of device profiles.", valueName: "DIR"),
        transform: OptionValue.directory)
    var devices: [String] = []

    @Flag(help: "Print every request and response, hex and decoded.")
    var trace = false

    @Flag(help: "Log connections and faults to standard error.")
    var verbose = false

    func validate() throws {
        if let control {
            guard let (host, _) = Self.hostAndPort(control) else {
                throw ValidationError("--control expects HOST:PORT")
            }
            guard ["127.0.0.1", "localhost", "::1"].contains(host) else {
                throw ValidationError("--control listens on loopback only (127.0.0.1 or ::1)")
            }
        }
    }

    func run() async throws {
        StockpileCommand.bootstrapLogging(level: verbose ? .info : .warning)
        if let control, let (host, port) = Self.hostAndPort(control) {
            try ListenAddress.ensureAvailable(option: "--control", host: host, port: port)
        }
        let logger = Logger(label: "stockpile.simulate")
        let loader = ScenarioLoader(profileDirectories: devices + ProfileDirectories.defaults)
        let loaded: Scenario
        do {
            loaded = try loader.load(file: scenario)
        } catch {
            throw fail("\(error)")
        }
        let engine = SimulationEngine(scenario: loaded, seed: seed)
        let service: SimulatorService
        do {
            service = try SimulatorService(engine: engine, speed: speed, rtuLinkOverride: rtuLink, logger: logger)
        } catch {
            throw fail("\(error)")
        }
        let endpoints: [SimulatorService.Endpoint]
        do {
            endpoints = try await service.startServing()
        } catch {
            throw fail(error.description)
        }
        if trace {
            for endpoint in endpoints {
                service.server(for: endpoint.name)?.trace = { event in
                    Output.line(TraceFormatter.line(event))
                }
            }
        }
        let started = StartupAnnouncement(
            lines: ["simulating \(loaded.name): \(loaded.devices.count) devices, seed \(engine.seed), speed \(speed)"]
                + endpoints.map(\.description))
        var services: [any Service] = [service]
        if let control, let (host, port) = Self.hostAndPort(control) {
            services.append(
                ControlChannel.application(service: service, host: host, port: port, logger: logger) { bound in
                    Output.line("control http://\(host.contains(":") ? "[\(host)]" : host):\(bound)")
                })
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [started.configuration]
                    + services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await service.shutDown()
            throw fail("\(error)")
        }
        await service.shutDown()
    }

    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard case .tcp(let host, let port)? = ModbusTransport.tcp(parsing: text, defaultPort: -1), port > 0 else {
            if text.hasSuffix(":0"), case .tcp(let host, _)? = ModbusTransport.tcp(parsing: String(text.dropLast(2))) {
                return (host, 0)
            }
            return nil
        }
        return (host, port)
    }

    private func fail(_ message: String) -> ExitCode {
        CommandFailure.exit(message)
    }
}

/// Lines on standard output, flushed at once so a supervising process or test sees them as they come.
enum Output {
    static func line(_ text: String, terminated: Bool = true) {
        FileHandle.standardOutput.write(Data((terminated ? text + "\n" : text).utf8))
    }
}
