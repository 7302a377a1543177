import Foundation
import Testing

@testable import StockpileStore

@Suite("Retention")
struct RetentionTests {
    let day: TimeInterval = 86_400

    @Test("prune deletes only raw readings older than rawDays and keeps their minute aggregates")
    func rawRetentionKeepsAggregates() async throws {
        try await withFileStore { database, _ in
            let now = noon
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append([
                reading(now.addingTimeInterval(-40 * day), .number(1)),
                reading(now.addingTimeInterval(-31 * day), .number(2)),
                reading(now.addingTimeInterval(-29 * day), .number(3)),
                reading(now.addingTimeInterval(-60), .number(4)),
                reading("scale-2", "net", now.addingTimeInterval(-35 * day), .number(5)),
            ])
            try await writer.flush()

            let summary = try await database.prune(now: now)  // defaults: 30 days raw, 730 days aggregates
            #expect(summary.readings == 3)
            #expect(summary.aggregates == 0)
            let left = try await database.readings(device: "scale-1", since: .distantPast).map(\.value)
            #expect(left == [.number(3), .number(4)])
            #expect(try await database.readings(device: "scale-2", since: .distantPast).isEmpty)
            let aggregates = try await database.minuteAggregates(device: "scale-1", point: "gross", since: .distantPast)
            #expect(aggregates.compactMap(\.mean) == [1, 2, 3, 4])
            #expect(try await database.count("SELECT count(*) FROM minute_aggregate") == 5)
            // Status still knows the point whose raw readings are gone.
            #expect(try await database.status(now: now).map(\.device) == ["scale-1", "scale-2"])
        }
    }

    @Test("prune deletes aggregates and health events older than aggregateDays, and forgets points that old")
    func aggregateRetention() async throws {
        try await withFileStore { database, _ in
            let now = noon
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append([
                reading(now.addingTimeInterval(-800 * day), .number(1)),
                reading(now.addingTimeInterval(-10 * day), .number(2)),
                reading("old-scale", "gross", now.addingTimeInterval(-900 * day), .number(3)),
            ])
            await writer.record(
                DeviceHealthEvent(
                    device: "scale-1", time: now.addingTimeInterval(-800 * day), from: nil, to: .online, reason: "up"))
            await writer.record(
                DeviceHealthEvent(
                    device: "scale-1", time: now.addingTimeInterval(-1 * day), from: .online, to: .offline,
                    reason: "no answer"))
            try await writer.flush()

            let summary = try await database.prune(now: now, rawDays: 30, aggregateDays: 730)
            #expect(summary == PruneSummary(readings: 2, aggregates: 2, healthEvents: 1, points: 1))
            let aggregates = try await database.minuteAggregates(device: "scale-1", point: "gross", since: .distantPast)
            #expect(aggregates.compactMap(\.mean) == [2])
            #expect(try await database.healthEvents(device: "scale-1", since: .distantPast).map(\.to) == [.offline])
            #expect(try await database.status(now: now).map(\.device) == ["scale-1"])
        }
    }
}
