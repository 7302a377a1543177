public import Foundation
public import Logging
public import ServiceLifecycle
public import StockpileDomain
import StockpileLedger
public import StockpileStore

/// Live detection of weight changes the ledger does not explain: every `interval`, the movement
/// detector runs over the last `lookback` of stored readings (what the flusher has written), so a step
/// becomes an event within about `interval` of settling, and a transaction recorded up to the
/// detector's ±15 min later clears it on a following pass. Events go to `movement_event`, where
/// `stockpile reconcile --between` puts the ones it finds after the fact.
public struct MovementWatchService: Service {
    public let site: SiteConfiguration
    public let database: AppDatabase
    public let interval: Duration
    public let lookback: Duration
    /// The detector's windows: the defaults in the agent; a test on a compressed timeline scales them down.
    public let detector: MovementDetector.Configuration
    private let logger: Logger

    public init(
        site: SiteConfiguration, database: AppDatabase, interval: Duration = .seconds(30),
        lookback: Duration = .seconds(3600),
        detector: MovementDetector.Configuration = MovementDetector.Configuration(),
        logger: Logger
    ) {
        self.site = site
        self.database = database
        self.interval = interval
        self.lookback = lookback
        self.detector = detector
        self.logger = logger
    }

    /// One pass over `now − lookback … now`; the new events it stored.
    @discardableResult
    public func scan(now: Date) async throws -> [StoredMovementEvent] {
        let events = try await MovementScan.run(
            site: site, database: database, from: now.addingTimeInterval(-lookback.seconds), to: now, now: now,
            configuration: detector)
        let fresh = events.filter { $0.detectedAt == StoredTime.normalized(now) && $0.clearedAt == nil }
        for stored in fresh {
            let event = stored.event
            logger.warning(
                "weight change the ledger does not explain",
                metadata: [
                    "location": "\(event.location)", "device": "\(event.device)", "kind": "\(event.kind.rawValue)",
                    "change_kg": "\(event.changeKilograms)", "tolerance_kg": "\(event.toleranceKilograms)",
                ])
        }
        return fresh
    }

    /// Runs until shutdown. It never returns early, even on a site without scales: a service that
    /// returns ends the whole group.
    public func run() async throws {
        let watches = site.ledgerLocations.contains { $0.kind == .scale }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                guard watches else { continue }
                do {
                    try await scan(now: Date())
                } catch {
                    // A failed pass loses no reading: the next one looks back over the same span.
                    logger.error("movement detection failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

/// Times as the store keeps them (to the millisecond), to compare with stored values.
enum StoredTime {
    static func normalized(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
