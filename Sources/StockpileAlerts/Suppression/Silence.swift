public import Foundation

/// A maintenance window: alerts whose labels satisfy every matcher between `startsAt` and `endsAt`
/// are recorded but not notified, and do not light the beacon.
///
/// The fields are Alertmanager's silence's [src: alertmanager api/v2/openapi.yaml `silence`].
public struct Silence: Hashable, Sendable, Codable, Identifiable {
    /// Where the silence stands at an instant, as Alertmanager names it.
    public enum State: String, Hashable, Sendable, Codable {
        /// Not started yet; in force; over.
        case pending, active, expired
    }

    /// The silence's id (the store's).
    public var id: String
    /// All must match (an empty list matches nothing: a silence of everything is refused).
    public var matchers: [LabelMatcher]
    /// From when it silences (inclusive).
    public var startsAt: Date
    /// Until when (exclusive).
    public var endsAt: Date
    /// Who made it.
    public var createdBy: String
    /// Why.
    public var comment: String

    /// A silence.
    public init(
        id: String, matchers: [LabelMatcher], startsAt: Date, endsAt: Date, createdBy: String, comment: String
    ) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
    }

    /// Pending before `startsAt`, active from `startsAt` up to (not including) `endsAt`, expired after.
    public func state(at instant: Date) -> State {
        instant < startsAt ? .pending : instant < endsAt ? .active : .expired
    }

    /// Whether it silences an alert with these labels at this instant.
    public func silences(_ labels: [String: String], at instant: Date) -> Bool {
        state(at: instant) == .active && !matchers.isEmpty && matchers.allSatisfy { $0.matches(labels) }
    }
}
