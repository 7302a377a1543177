/// One decoded point: its value, how far to trust it, and the registers it came from.
public struct PointReading: Hashable, Sendable {
    public var name: String
    /// nil when there is no value: a sentinel, an unread register, an error.
    public var value: PointValue?
    public var unit: String?
    public var quality: ReadingQuality
    /// The registers (or bits, as 0/1) the value was decoded from.
    public var raw: [UInt16]

    public init(name: String, value: PointValue?, unit: String? = nil, quality: ReadingQuality, raw: [UInt16] = []) {
        self.name = name
        self.value = value
        self.unit = unit
        self.quality = quality
        self.raw = raw
    }
}
