import Foundation
public import Logging
public import ServiceLifecycle
public import StockpileStore

/// Deletes raw readings and aggregates past their retention, at start and then hourly.
public struct RetentionService: Service {
    public let database: AppDatabase
    public let rawDays: Int
    public let aggregateDays: Int
    public let interval: Duration
    private let logger: Logger

    public init(
        database: AppDatabase, rawDays: Int, aggregateDays: Int, interval: Duration = .seconds(3600), logger: Logger
    ) {
        self.database = database
        self.rawDays = rawDays
        self.aggregateDays = aggregateDays
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await database.prune(now: Date(), rawDays: rawDays, aggregateDays: aggregateDays)
                } catch {
                    // A failing prune leaves more data than asked, never less: polling goes on.
                    logger.error("retention failed", metadata: ["error": "\(error)"])
                }
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }
}
