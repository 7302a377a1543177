import ArgumentParser
import Foundation
import Logging

/// `stockpile`: the one executable. Parsing and wiring only; the work lives in the library targets.
@main
struct StockpileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stockpile",
        abstract: "Proves what is in a strategic stockpile: polls scales and sensors over Modbus, reconciles, alerts.",
        subcommands: [
            AgentCommand.self, StatusCommand.self, ReadingsCommand.self, CommandCommand.self, ProbeCommand.self,
            SimulateCommand.self, ConfigCommand.self, LedgerCommand.self, ReconcileCommand.self, CountCommand.self,
            AlertsCommand.self, TokenCommand.self,
        ])

    /// Runs the command the arguments name. A usage error (a bad option or value) exits 2, as
    /// POSIX utilities do, rather than ArgumentParser's 64; a failure exits 1 (`CommandFailure`).
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(usageErrorStatus)
            }
            exit(withError: error)
        }
    }

    /// The exit status of a usage error.
    static let usageErrorStatus: Int32 = 2

    static func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
