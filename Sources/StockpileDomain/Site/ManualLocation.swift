/// A location without a fixed scale, declared in the site file's `locations` section: its stock is
/// counted by hand, weighed on the counting scale whose metrology it declares.
public struct ManualLocation: Hashable, Sendable {
    /// The location's name and the counting scale's capacity, division and class.
    public var metrology: ScaleLocation
    /// The zone it is in, if any (its humidity is then evidence for hygroscopic lots).
    public var zone: String?
    /// The site file's line, for messages.
    public var line: Int?

    public init(metrology: ScaleLocation, zone: String? = nil, line: Int? = nil) {
        self.metrology = metrology
        self.zone = zone
        self.line = line
    }

    public var name: String { metrology.name }
}
