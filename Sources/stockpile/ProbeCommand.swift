import ArgumentParser
import DeviceAccess
import Foundation
import Logging
import Modbus
import StockpileDomain

/// `stockpile probe`: read a device by hand, through a profile or raw.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Read a device once (or --count times): every point of a profile, or raw registers.",
        discussion: """
            Examples:
              stockpile probe --tcp 10.0.0.5:502 --unit 1 --profile Devices/scales/laumas-tlu.yaml
              stockpile probe --rtu /dev/ttyUSB0 --baud 9600 --parity E --unit 3 --profile Devices/sensors/xy-md02.yaml
              stockpile probe --tcp 10.0.0.5 --unit 1 --read holding:0:10 --guess-order
              stockpile probe --tcp 10.0.0.5 --unit 1 --read holding:40008:4 --one-based
            """)

    @Option(help: ArgumentHelp("Modbus TCP device or gateway.", valueName: "HOST[:PORT]"))
    var tcp: String?

    @Option(
        help: ArgumentHelp("Modbus RTU serial device.", valueName: "DEVICE"),
        transform: OptionValue.path)
    var rtu: String?

    @Option(
        parsing: .unconditional,
        help: "Serial speed (RTU): a standard rate, 300–4000000.", transform: OptionValue.baud)
    var baud: Int = 9600

    @Option(help: "Serial parity: N, E or O (RTU).")
    var parity: String = "E"

    @Option(
        name: .customLong("data-bits"), parsing: .unconditional, help: "Serial data bits (RTU): 8.",
        transform: OptionValue.int(in: 8...8))
    var dataBits: Int = 8

    @Option(
        name: .customLong("stop-bits"), parsing: .unconditional, help: "Serial stop bits (RTU): 1 or 2.",
        transform: OptionValue.int(in: 1...2))
    var stopBits: Int = 1

    @Flag(help: "Switch the serial port to RS-485 mode (hardware that supports it).")
    var rs485 = false

    @Option(parsing: .unconditional, help: "Unit id (slave id), 0–255.", transform: OptionValue.int(in: 0...255))
    var unit: Int = 1

    @Option(
        help: ArgumentHelp("Device profile (YAML) whose points to read.", valueName: "PATH"),
        transform: OptionValue.path)
    var profile: String?

    @Option(
        name: .customLong("devices"), help: ArgumentHelp("Extra directory of device profiles.", valueName: "DIR"),
        transform: OptionValue.directory)
    var devices: [String] = []

    @Option(
        name: .customLong("read"),
        help: ArgumentHelp(
            "Raw read without a profile: holding, input, coil or discrete.", valueName: "TABLE:ADDR:COUNT"))
    var reads: [String] = []

    @Flag(
        name: .customLong("one-based"), help: "Raw addresses are the manual's register numbers (40001 or 1 = wire 0).")
    var oneBased = false

    @Flag(name: .customLong("guess-order"), help: "With --read: show every type and word/byte order side by side.")
    var guessOrder = false

    @Option(parsing: .unconditional, help: "How many reads, 1–1000000.", transform: OptionValue.int(in: 1...1_000_000))
    var count: Int = 1

    @Option(
        parsing: .unconditional, help: "Time between reads: seconds (2) or 500ms, 2m; 1ms–1d.",
        transform: OptionValue.duration(in: .milliseconds(1)...Duration.seconds(86_400)))
    var interval: Duration = .seconds(1)

    @Option(
        parsing: .unconditional, help: "Response timeout: seconds (0.5) or 500ms; 1ms–60s.",
        transform: OptionValue.duration(in: .milliseconds(1)...Duration.seconds(60)))
    var timeout: Duration = .seconds(1)

    @Flag(help: "One JSON object per read, one per line.")
    var json = false

    @Flag(help: "Log connection events to standard error.")
    var verbose = false

    func validate() throws {
        guard (tcp == nil) != (rtu == nil) else {
            throw ValidationError("give exactly one of --tcp HOST[:PORT] or --rtu DEVICE")
        }
        guard (profile == nil) != reads.isEmpty else {
            throw ValidationError("give either --profile PATH or --read TABLE:ADDR:COUNT")
        }
        if guessOrder, reads.isEmpty { throw ValidationError("--guess-order works with --read") }
        guard SerialLine.Parity(rawValue: parity.uppercased()) != nil else {
            throw ValidationError("--parity must be N, E or O")
        }
        if let tcp, ModbusTransport.tcp(parsing: tcp) == nil {
            throw ValidationError("--tcp \(tcp): expected HOST, HOST:PORT or [IPv6]:PORT (port 1–65535)")
        }
        for text in reads {
            let read: RawRead
            do {
                read = try RawRead.parse(text, oneBased: oneBased)
            } catch {
                throw ValidationError("--read \(text): \(error.description)")
            }
            if guessOrder, read.table.holdsBits {
                throw ValidationError("--guess-order interprets registers; --read \(text) reads bits")
            }
        }
    }

    func run() async throws {
        StockpileCommand.bootstrapLogging(level: verbose ? .info : .critical)
        let transport: ModbusTransport
        if let tcp, let parsed = ModbusTransport.tcp(parsing: tcp) {
            if case .tcp(let host, _) = parsed, let reason = HostLookup.failure(host) {
                throw fail("--tcp \(tcp): cannot resolve \(host): \(reason)")
            }
            transport = parsed
        } else {
            transport = .rtu(
                SerialLine(
                    device: rtu ?? "", baud: baud, parity: SerialLine.Parity(rawValue: parity.uppercased()) ?? .even,
                    dataBits: dataBits, stopBits: stopBits, rs485: rs485))
        }
        let client: ModbusClient
        do {
            client = try ModbusClient(
                configuration: ModbusClientConfiguration(
                    transport: transport, responseTimeout: timeout,
                    reconnectBackoff: .zero))
        } catch {
            throw fail("\(error)")
        }
        var succeeded = true
        if let profileName = profile {
            // Like the site file and the scenario: as given, then in --devices, Devices/ and the
            // installed share directory, so `--profile sensors/xy-md02.yaml` works anywhere.
            let candidates = ProfileLocator.candidates(
                for: profileName, besides: FileManager.default.currentDirectoryPath,
                devices + ProfileDirectories.defaults)
            let profilePath = ProfileLocator.firstExisting(candidates) ?? profileName
            let loaded: DeviceProfile
            do {
                loaded = try ProfileLoader.load(file: profilePath)
            } catch {
                throw fail("\(error)")
            }
            let reader = DeviceReader(profile: loaded, unit: UInt8(unit))
            for index in 0..<count {
                if index > 0 { try await Task.sleep(for: interval) }
                succeeded = await readProfile(reader, client: client, transport: transport) && succeeded
            }
        } else {
            var rawReads: [RawRead] = []
            for text in reads {
                do {
                    rawReads.append(try RawRead.parse(text, oneBased: oneBased))
                } catch {
                    throw fail(error.description)
                }
            }
            for index in 0..<count {
                if index > 0 { try await Task.sleep(for: interval) }
                for read in rawReads {
                    succeeded = await readRaw(read, client: client, transport: transport) && succeeded
                }
            }
        }
        // A unit that timed out may still answer: hold the line until its guard has passed, so the
        // next master on it does not take that answer for its own.
        await client.finish()
        if !succeeded { throw ExitCode(1) }
    }

    private func readProfile(_ reader: DeviceReader, client: ModbusClient, transport: ModbusTransport) async -> Bool {
        let result = await reader.read(using: client)
        if result.deviceDidNotAnswer, let first = result.failures.first, !json {
            printError("\(transport) unit \(unit): \(first.error)")
            return false
        }
        let report = ProbeReport(transport: "\(transport)", unit: UInt8(unit), profile: reader.profile, result: result)
        // Written at once, unbuffered: a pipe to jq or tee sees each read as it is made.
        Output.line(json ? report.jsonLine() : report.tableText() + (count > 1 ? "\n" : ""))
        for failure in result.failures { printError(failure.description) }
        return result.failures.isEmpty
    }

    private func readRaw(_ read: RawRead, client: ModbusClient, transport: ModbusTransport) async -> Bool {
        let started = ContinuousClock.now
        do {
            let values = try await read.perform(unit: UInt8(unit), using: client)
            if json {
                Output.line(
                    read.jsonLine(
                        values, unit: UInt8(unit), transport: "\(transport)", elapsed: ContinuousClock.now - started,
                        guessOrder: guessOrder))
            } else {
                Output.line(guessOrder ? read.interpretationsText(values) : read.tableText(values))
            }
            return true
        } catch {
            let failure = ReadFailure(
                read: PlannedRead(table: read.table, address: read.address, count: read.count, points: []), error: error
            )
            printError(error.breaksConnection ? "\(transport) unit \(unit): \(error)" : failure.description)
            return false
        }
    }

    private func fail(_ message: String) -> ExitCode {
        CommandFailure.exit(message)
    }

    private func printError(_ message: String) {
        CommandFailure.report(message)
    }
}
