import Foundation
import StockpileStore

/// The store's device status, read at most once a second and shared by the requests of that second.
///
/// The agent writes its readings to the store once per flush interval (1 s by default), so a fresher read
/// would show the same rows; under a dashboard's or a scraper's load this keeps the store's readers for the
/// agent's own work.
actor StatusSnapshot {
    private let database: AppDatabase
    private let lifetime: TimeInterval
    private var taken: (at: Date, status: [DeviceStatus])?
    private var inFlight: Task<[DeviceStatus], any Error>?

    init(database: AppDatabase, lifetime: TimeInterval = 1) {
        self.database = database
        self.lifetime = lifetime
    }

    func status(now: Date) async throws -> [DeviceStatus] {
        if let taken, now.timeIntervalSince(taken.at) < lifetime, now >= taken.at { return taken.status }
        if let inFlight { return try await inFlight.value }
        let database = database
        // The error counts over the last 10 minutes: the dashboard's "recent errors", cheap per request.
        let task = Task { try await database.status(now: now, errorWindow: .seconds(600)) }
        inFlight = task
        defer { inFlight = nil }
        let status = try await task.value
        taken = (now, status)
        return status
    }
}
