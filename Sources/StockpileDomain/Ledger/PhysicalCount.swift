public import Foundation

/// A count by hand: what a counter weighed at a location, recorded blind (without the book quantity).
///
/// A recorded count is signed off: it is a cut-off, so no transaction may later be dated at or
/// before it at that location, and an adjustment that settles it needs an approver who is not its
/// counter.
public struct PhysicalCount: Hashable, Sendable {
    public var location: String
    public var time: Date
    /// The net weight counted, kg.
    public var kilograms: Double
    /// Who counted.
    public var counter: String
    /// The count sheet's reference.
    public var document: String
    public var comment: String

    public init(
        location: String, time: Date, kilograms: Double, counter: String, document: String, comment: String = ""
    ) {
        self.location = location
        self.time = time
        self.kilograms = kilograms
        self.counter = counter
        self.document = document
        self.comment = comment
    }

    /// The latest of `counts` at `location` at or before `time`.
    public static func latest(in counts: [PhysicalCount], at location: String, before time: Date) -> PhysicalCount? {
        counts.filter { $0.location == location && $0.time <= time }.max { $0.time < $1.time }
    }
}
