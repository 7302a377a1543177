import Foundation
import StockpileDomain
import StockpileLedger
import StockpileStore

/// The reconciliation reports the server hands out: the last one an auditor ran, and a report "as of now" that
/// the dashboard's pages share for a few seconds instead of rebuilding it on every view.
actor ReportShelf {
    private let backend: WebBackend
    private let currentLifetime: TimeInterval
    private(set) var latestRun: ReconciliationReport?
    private var current: (at: Date, report: ReconciliationReport)?

    init(backend: WebBackend, currentLifetime: TimeInterval = 10) {
        self.backend = backend
        self.currentLifetime = currentLifetime
    }

    func build(at instant: Date, window: Duration, location: String?) async throws -> ReconciliationReport {
        try await ReconciliationBuilder.build(
            site: backend.site, database: backend.database, at: instant, window: window, location: location)
    }

    /// Runs and keeps a report (`POST /api/v1/reconciliation`).
    func run(at instant: Date, window: Duration, location: String?) async throws -> ReconciliationReport {
        let report = try await build(at: instant, window: window, location: location)
        latestRun = report
        return report
    }

    /// A whole-site report as of about now, at most `currentLifetime` old.
    func reportAsOfNow() async throws -> ReconciliationReport {
        let now = backend.clock()
        if let current, now.timeIntervalSince(current.at) < currentLifetime, now >= current.at { return current.report }
        let report = try await build(at: now, window: Reconciler.defaultWindow, location: nil)
        current = (now, report)
        return report
    }
}
