public import SimulatorCore

/// A write a client made to a simulated device, kept so tests and technicians can see it.
public struct WriteRecord: Sendable, Hashable {
    public var time: SimulatedTime
    public var transport: String
    public var unit: UInt8
    public var functionCode: UInt8
    public var address: Int
    public var values: [UInt16]
    /// The profile command it matched, if any.
    public var command: String?
    /// `accepted`, or why the device refused it.
    public var outcome: String
}
