import Foundation
import Glibc
import StockpileTestSupport
import Testing

/// A pseudo-terminal's settings are shared by everyone who opens it, so a client that dies without
/// restoring them (SIGKILL, a failed RS-485 switch) or that sets odd ones leaves them behind. The
/// simulator's line must serve the next client whatever the last one did.
@Suite("The simulator's RTU line survives any client")
struct SimulatorLineAftermathTests {
    static let scenario = """
        name: aftermath
        rtu:
          - {name: line1}
        devices:
          - name: climate
            profile: sensors/xy-md02.yaml
            transport: line1
            unit: 2
            model: environment
            parameters: {temperature: 18, temperature_noise: 0, temperature_amplitude: 0,
                         humidity: 40, humidity_noise: 0, humidity_amplitude: 0}
        """

    /// Starts `command` found on PATH (through /usr/bin/env), lets it run for `running`, then kills it with SIGKILL;
    /// returns what it had printed.
    static func killedAfter(_ running: Duration, _ command: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try await Task.sleep(for: running)
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        try await OffPool.run("wait for \(command)") { process.waitUntilExit() }
        #expect(process.terminationReason == .uncaughtSignal, "\(command) was still running when killed")
        return String(decoding: PipeReading.toEnd(output.fileHandleForReading), as: UTF8.self)
    }

    /// A fresh `stockpile probe` of the climate sensor with `parity`: exit 0 and 18 °C, good.
    static func expectFreshProbe(
        _ pty: String, parity: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        let outcome = try await IndependentPeers.run(
            StockpileRunner.executable,
            [
                "probe", "--rtu", pty, "--parity", parity, "--unit", "2", "--profile", "Devices/sensors/xy-md02.yaml",
                "--timeout", "1",
            ])
        #expect(outcome.status == 0, "parity \(parity): \(outcome.standardError)", sourceLocation: sourceLocation)
        let temperature = outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix("temperature") }
        #expect(
            temperature?.contains("18") == true && temperature?.contains("good") == true,
            "parity \(parity): \(outcome.standardOutput)", sourceLocation: sourceLocation)
    }

    @Test("after an mbpoll with even parity is killed with SIGKILL, fresh even- and odd-parity clients read")
    func killedClient() async throws {
        try await SimulatorProcess.run(scenario: Self.scenario) { simulator in
            let pty = try #require(simulator.pty)
            let mbpoll = [
                "-m", "rtu", "-b", "9600", "-P", "even", "-a", "2", "-t", "3", "-r", "2", "-c", "1", "-l", "100",
            ]
            let printed = try await Self.killedAfter(.milliseconds(800), "stdbuf", ["-oL", "mbpoll"] + mbpoll + [pty])
            #expect(printed.contains("[2]:"), "mbpoll read before it was killed: \(printed)")
            try await Task.sleep(for: .milliseconds(100))
            try await Self.expectFreshProbe(pty, parity: "E")
            try await Self.expectFreshProbe(pty, parity: "O")
            try await Self.expectFreshProbe(pty, parity: "E")
        }
    }

    @Test("after a probe that tried RS-485 mode on the pty, fresh odd- and even-parity clients read")
    func rs485Client() async throws {
        try await SimulatorProcess.run(scenario: Self.scenario) { simulator in
            let pty = try #require(simulator.pty)
            let failed = try await IndependentPeers.run(
                StockpileRunner.executable,
                [
                    "probe", "--rtu", pty, "--parity", "O", "--rs485", "--unit", "2", "--profile",
                    "Devices/sensors/xy-md02.yaml", "--timeout", "1",
                ])
            #expect(failed.status != 0, "a pty has no RS-485 mode: \(failed.standardOutput)")
            try await Task.sleep(for: .milliseconds(100))
            try await Self.expectFreshProbe(pty, parity: "O")
            try await Self.expectFreshProbe(pty, parity: "E")
        }
    }

    @Test("after a client that turned on echo, canonical mode and CR/LF translation is killed, a fresh client reads")
    func oddTermios() async throws {
        try await SimulatorProcess.run(scenario: Self.scenario) { simulator in
            let pty = try #require(simulator.pty)
            let script = """
                import os, termios, time
                fd = os.open("\(pty)", os.O_RDWR | os.O_NOCTTY)
                a = termios.tcgetattr(fd)
                a[0] |= termios.ICRNL | termios.IXON
                a[1] |= termios.OPOST | termios.ONLCR
                a[3] |= termios.ECHO | termios.ICANON | termios.ISIG
                termios.tcsetattr(fd, termios.TCSANOW, a)
                print("set", flush=True)
                time.sleep(30)
                """
            let printed = try await Self.killedAfter(.milliseconds(800), "python3", ["-c", script])
            #expect(printed.contains("set"), "\(printed)")
            try await Task.sleep(for: .milliseconds(100))
            try await Self.expectFreshProbe(pty, parity: "E")
            try await Self.expectFreshProbe(pty, parity: "N")
        }
    }
}
