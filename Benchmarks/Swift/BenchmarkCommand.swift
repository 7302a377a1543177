import Foundation
import Logging

/// `stockpile-bench`: every benchmark of `make bench`, each a ratio against a reference measured in
/// the same run.
@main
struct BenchmarkCommand {
    static func main() async {
        // Connection events would drown the figures; warnings and errors still show.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        var options: [String: String] = [:]
        var arguments = CommandLine.arguments.dropFirst()
        while let flag = arguments.popFirst() {
            options[flag] = arguments.popFirst() ?? ""
        }
        let cBin = options["--c-bin"] ?? ".build/bench-c"
        let seconds = Double(options["--seconds"] ?? "2") ?? 2
        let rounds = Int(options["--rounds"] ?? "3") ?? 3
        let stockpile = options["--stockpile"] ?? ".build/release/stockpile"
        let pymodbusServer = options["--pymodbus-server"] ?? "Benchmarks/c/pymodbus_server.py"
        let only = options["--only"]
        do {
            if only == nil || only == "client" {
                try await ClientBenchmark.run(cBin: cBin, seconds: seconds, rounds: rounds)
                print()
            }
            if only == nil || only == "simulator" {
                try SimulatorBenchmark.run(
                    cBin: cBin, stockpile: stockpile, pymodbusServer: pymodbusServer, seconds: seconds, rounds: rounds)
                print()
            }
            if only == nil || only == "agent" {
                try await AgentBenchmark.throughput(cBin: cBin, seconds: seconds, rounds: rounds)
                print()
            }
            if only == nil || only == "footprint" {
                let footprintSeconds = Double(options["--footprint-seconds"] ?? "60") ?? 60
                try await AgentBenchmark.footprint(
                    stockpile: stockpile, scenario: "Simulators/soak.yaml", seconds: footprintSeconds)
                print()
            }
            if only == nil || only == "wire" {
                try await WireSpeedBenchmark.run(stockpile: stockpile, seconds: max(seconds, 3))
                print()
            }
            if only == nil || only == "store" {
                try await StoreBenchmark.run(seconds: seconds, rounds: rounds); print()
            }
            if only == nil || only == "ledger" { try await LedgerBenchmark.run(rounds: rounds); print() }
            if only == nil || only == "alerts" { try await AlertBenchmark.run(); print() }
            if only == nil || only == "reconcile" { try await ReconcileBenchmark.run(); print() }
            if only == nil || only == "web" {
                try await WebBenchmark.run(
                    stockpile: stockpile, scenario: "Simulators/soak.yaml", seconds: Int(max(seconds * 5, 10)))
                print()
            }
            if only == nil || only == "soak" {
                try SimulatorBenchmark.soak(
                    cBin: cBin, stockpile: stockpile, scenario: "Simulators/soak.yaml", seconds: max(seconds * 3, 5))
            }
        } catch {
            FileHandle.standardError.write(Data("stockpile-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}
