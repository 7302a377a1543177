import Foundation
import Modbus
import ModbusServing
import Testing

/// A Laumas TLU register image: stable, gross and net 2,500 kg.
private func laumasServer(
    unknownUnit: ModbusServer.UnknownUnitPolicy = .exception(.gatewayTargetFailedToRespond)
)
    throws -> (ModbusServer, Int)
{
    let bank = RegisterBank(holdingRegisters: 32)
    bank.setHoldingRegister(0x0800, at: 6)
    bank.setHoldingRegisters([0, 2500, 0, 2500], at: 7)
    // A Vaisala-style float, low word first, for --guess-order: 0x41F47AE1 = 30.56.
    bank.setHoldingRegisters([0x7AE1, 0x41F4], at: 20)
    // 2^63 + 1 = 9223372036854775809 as a uint64, high word first: not a Double.
    bank.setHoldingRegisters([0x8000, 0, 0, 1], at: 24)
    let server = ModbusServer(units: [1: bank], unknownUnit: unknownUnit)
    return (server, try server.startTCP())
}

@Suite("stockpile probe, end to end")
struct ProbeCommandTests {
    @Test("reads every point of a profile into a table with value, unit, quality and raw hex")
    func table() async throws {
        let (server, port) = try laumasServer()
        defer { server.stop() }
        let outcome = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--unit", "1", "--profile", "Devices/scales/laumas-tlu.yaml",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let gross =
            outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix("gross ") }.map(String.init) ?? ""
        #expect(
            gross.split(separator: " ", omittingEmptySubsequences: true) == [
                "gross", "2500", "kg", "good", "0x0000", "0x09C4",
            ])
        #expect(outcome.standardOutput.contains(": 1 transaction in "))
        #expect(server.counters(for: 1).writes == 0)
    }

    @Test("--profile is found in Devices/ like a site file's profile, and in --devices")
    func profileLookup() async throws {
        let (server, port) = try laumasServer()
        defer { server.stop() }
        let outcome = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--unit", "1", "--profile", "scales/laumas-tlu.yaml",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("LAUMAS TLU"), "\(outcome.standardOutput)")
        let missing = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--unit", "1", "--profile", "scales/nothing.yaml",
        ])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("scales/nothing.yaml"), "\(missing.standardError)")
    }

    @Test("--json prints one object per read, with points, transactions and elapsed time")
    func json() async throws {
        let (server, port) = try laumasServer()
        defer { server.stop() }
        let outcome = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--unit", "1", "--profile", "Devices/scales/laumas-tlu.yaml",
            "--json",
            "--count", "2", "--interval", "0.05",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.count == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["transactions"] as? Int == 1)
        #expect(object["elapsed_ms"] is Double)
        #expect((object["device"] as? [String: Any])?["unit"] as? Int == 1)
        let points = try #require(object["points"] as? [[String: Any]])
        let gross = try #require(points.first { $0["name"] as? String == "gross" })
        #expect(gross["value"] as? Double == 2500)
        #expect(gross["quality"] as? String == "good")
        #expect(gross["raw"] as? [String] == ["0x0000", "0x09C4"])
        #expect(server.counters(for: 1).requests(.readHoldingRegisters) == 2)
    }

    @Test("raw reads accept 0-based and manual notation alike")
    func raw() async throws {
        let (server, port) = try laumasServer()
        defer { server.stop() }
        let zeroBased = try await StockpileRunner.run(["probe", "--tcp", "127.0.0.1:\(port)", "--read", "holding:7:2"])
        let manual = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--read", "holding:40008:2", "--one-based",
        ])
        #expect(zeroBased.status == 0)
        #expect(zeroBased.standardOutput == manual.standardOutput)
        #expect(zeroBased.standardOutput.contains("8        40009   0x09C4  2500"))
    }

    @Test("--guess-order shows a low-word-first float's true value in the CDAB column")
    func guessOrder() async throws {
        let (server, port) = try laumasServer()
        defer { server.stop() }
        let outcome = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--read", "holding:20:2", "--guess-order",
        ])
        #expect(outcome.status == 0)
        let float =
            outcome.standardOutput.split(separator: "\n").first { $0.contains("float32") }.map(String.init) ?? ""
        let columns = float.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(columns.count == 6)
        #expect(columns.count == 6 && columns[3] == "30.56", "\(float)")
    }

    @Test("--guess-order shows 64-bit integers exactly, and its JSON values are numbers")
    func guessOrderExact() async throws {
        let (server, port) = try laumasServer()
        defer { server.stop() }
        let table = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--read", "holding:24:4", "--guess-order",
        ])
        #expect(table.status == 0)
        let uint64 = table.standardOutput.split(separator: "\n").first { $0.contains("uint64") }.map(String.init) ?? ""
        #expect(uint64.contains("9223372036854775809"), "\(uint64)")
        let json = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--read", "holding:24:4", "--guess-order", "--json",
        ])
        #expect(json.status == 0)
        #expect(json.standardOutput.contains("\"ABCD\":9223372036854775809"), "\(json.standardOutput)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let rows = try #require(object["interpretations"] as? [[String: Any]])
        let int16 = try #require(rows.first { $0["type"] as? String == "int16" && $0["address"] as? Int == 24 })
        #expect(int16["ABCD"] as? Int == -32768, "\(int16)")
        #expect(try #require(object["time"] as? String).contains("."), "probe JSON times carry milliseconds")
    }

    @Test("--count N writes each read as it is made: a pipe sees the first line while the probe still runs")
    func eachReadFlushed() async throws {
        let (server, port) = try laumasServer()
        defer { server.stop() }
        let probe = try ChildProcess(
            [
                "probe", "--tcp", "127.0.0.1:\(port)", "--unit", "1", "--profile", "Devices/scales/laumas-tlu.yaml",
                "--json", "--count", "2", "--interval", "1d",
            ], name: "probe")
        defer { probe.kill() }
        let first = try await probe.waitFor(within: .seconds(60)) { lines in lines.first }
        // A day before the second read, and it is killed before then: a line block-buffered until
        // exit could not be here at all.
        #expect(probe.isRunning)
        #expect(first.hasPrefix("{") && first.contains("\"points\""), "\(first)")
    }

    @Test("an exception is one clear line naming the range in both notations and the points, with exit 1")
    func exception() async throws {
        let bank = RegisterBank(holdingRegisters: 8)
        let server = ModbusServer(units: [1: bank])
        let port = try server.startTCP()
        defer { server.stop() }
        let outcome = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--unit", "1", "--profile", "Devices/scales/laumas-tlu.yaml",
        ])
        #expect(outcome.status == 1)
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(
            lines.first?.hasPrefix(
                "stockpile: illegal data address (exception 2) reading holding 0–13 (40001–40014; unit 1; points")
                == true)
    }

    @Test("a closed port and a silent unit each give one line and exit 1")
    func unreachable() async throws {
        let closed = ModbusServer()
        let closedPort = try closed.startTCP()
        closed.stop()
        let refused = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(closedPort)", "--profile", "Devices/sensors/xy-md02.yaml",
        ])
        #expect(refused.status == 1)
        #expect(refused.standardError.split(separator: "\n").count == 1)
        #expect(refused.standardError.contains("connection refused"))

        let (server, port) = try laumasServer(unknownUnit: .ignore)
        defer { server.stop() }
        let silent = try await StockpileRunner.run([
            "probe", "--tcp", "127.0.0.1:\(port)", "--unit", "9", "--timeout", "0.3", "--profile",
            "Devices/sensors/xy-md02.yaml",
        ])
        #expect(silent.status == 1)
        #expect(silent.standardError.hasPrefix("stockpile: 127.0.0.1:\(port) unit 9: timeout reading input"))
    }

    @Test("a bad profile is reported as file:line: field: message")
    func badProfile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
        try
            "vendor: X\nmodel: Y\nkind: scale\nsource: {document: d}\npoints:\n  - {name: a, table: holding, address: 0, type: int24}\nvectors: []\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try await StockpileRunner.run(["probe", "--tcp", "127.0.0.1:1", "--profile", file.path])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.hasPrefix("stockpile: \(file.path):6: points[0].type: unknown type \"int24\""))
    }

    @Test("reads a sensor over an RTU pseudo-terminal")
    func rtu() async throws {
        let terminal = try PseudoTerminal()
        let bank = RegisterBank(inputRegisters: 4)
        bank.setInputRegisters([0x0131, 0x0222], at: 1)
        let server = ModbusServer(units: [7: bank])
        try server.startRTU(on: terminal)
        defer {
            server.stop()
            terminal.close()
        }
        let outcome = try await StockpileRunner.run([
            "probe", "--rtu", terminal.slavePath, "--baud", "19200", "--parity", "N", "--unit", "7", "--profile",
            "Devices/sensors/xy-md02.yaml", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        let points = try #require(object["points"] as? [[String: Any]])
        #expect(points.first { $0["name"] as? String == "temperature" }?["value"] as? Double == 30.5)
        #expect(points.first { $0["name"] as? String == "humidity" }?["value"] as? Double == 54.6)
    }

    @Test("arguments that contradict each other are refused before any traffic")
    func validation() async throws {
        let both = try await StockpileRunner.run(["probe", "--tcp", "h", "--rtu", "/dev/null", "--read", "holding:0:1"])
        #expect(both.status != 0)
        #expect(both.standardError.contains("exactly one of --tcp"))
        let guess = try await StockpileRunner.run(["probe", "--tcp", "h", "--profile", "x.yaml", "--guess-order"])
        #expect(guess.standardError.contains("--guess-order works with --read"))
    }
}
