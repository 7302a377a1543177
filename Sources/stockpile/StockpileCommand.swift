import ArgumentParser
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
        ])

    static func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
