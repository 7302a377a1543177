public import Foundation
import GRDB
public import StockpileDomain

/// A movement event as the store keeps it.
public struct StoredMovementEvent: Hashable, Sendable {
    public var id: Int64
    public var event: MovementEvent
    public var detectedAt: Date
    /// When a later transaction explained it, and which.
    public var clearedAt: Date?
    public var clearedBy: String?
}

extension AppDatabase {
    /// Brings the stored events of `location` over `from…to` in line with a fresh detection, in one
    /// transaction: new events are added (an event already stored is kept as it is), and a stored event
    /// still open that the detection no longer finds is cleared when `explanation` names the transaction
    /// that now explains it. One that is merely not seen (a narrower span) stays open.
    ///
    /// - Returns: the events of the span after the change, oldest first.
    @discardableResult
    public func syncMovementEvents(
        location: String, from: Date, to: Date, detected: [MovementEvent], at now: Date,
        explanation: @Sendable (StoredMovementEvent) -> String?
    ) async throws -> [StoredMovementEvent] {
        try await writer.write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO movement_event (kind, location, device, start, "end", change_kg, level_before_kg,
                        level_after_kg, tolerance_kg, readings, expected_kg, humidity_hours_above, detected_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (location, kind, start) DO NOTHING
                    """)
            for event in detected {
                try insert.execute(arguments: [
                    event.kind.rawValue, event.location, event.device, StoreTime.milliseconds(event.start),
                    StoreTime.milliseconds(event.end), event.changeKilograms, event.levelBefore, event.levelAfter,
                    event.toleranceKilograms, event.readings, event.expectedKilograms, event.humidityHoursAbove,
                    StoreTime.milliseconds(now),
                ])
            }
            let found = Set(detected.map { "\($0.kind.rawValue)|\(StoreTime.milliseconds($0.start))" })
            for stored in try Self.movementEvents(db, location: location, from: from, to: to)
            where stored.clearedAt == nil
                && !found.contains("\(stored.event.kind.rawValue)|\(StoreTime.milliseconds(stored.event.start))")
            {
                guard let document = explanation(stored) else { continue }
                try db.execute(
                    sql: "UPDATE movement_event SET cleared_at = ?, cleared_by = ? WHERE id = ?",
                    arguments: [StoreTime.milliseconds(now), document, stored.id])
            }
            return try Self.movementEvents(db, location: location, from: from, to: to)
        }
    }

    /// The stored events of `location` (every location when nil) that start within `from…to`, oldest first.
    public func movementEvents(location: String? = nil, from: Date, to: Date) async throws -> [StoredMovementEvent] {
        try await reader.read { db in try Self.movementEvents(db, location: location, from: from, to: to) }
    }

    static func movementEvents(_ db: Database, location: String?, from: Date, to: Date) throws -> [StoredMovementEvent]
    {
        var sql = "SELECT * FROM movement_event WHERE start >= ? AND start <= ?"
        var arguments: StatementArguments = [StoreTime.milliseconds(from), StoreTime.milliseconds(to)]
        if let location {
            sql += " AND location = ?"
            arguments += [location]
        }
        return try Row.fetchAll(db, sql: sql + " ORDER BY start, id", arguments: arguments).map { row in
            let kind: String = row["kind"]
            let cleared: Int64? = row["cleared_at"]
            return StoredMovementEvent(
                id: row["id"],
                event: MovementEvent(
                    kind: MovementEvent.Kind(rawValue: kind) ?? .unrecordedMovement, location: row["location"],
                    device: row["device"], start: StoreTime.date(row["start"]), end: StoreTime.date(row["end"]),
                    changeKilograms: row["change_kg"], levelBefore: row["level_before_kg"],
                    levelAfter: row["level_after_kg"], toleranceKilograms: row["tolerance_kg"],
                    readings: row["readings"],
                    expectedKilograms: row["expected_kg"], humidityHoursAbove: row["humidity_hours_above"]),
                detectedAt: StoreTime.date(row["detected_at"]), clearedAt: cleared.map(StoreTime.date),
                clearedBy: row["cleared_by"])
        }
    }
}
