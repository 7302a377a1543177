/// What a server did for one unit id since it was created or its counters were reset.
public struct ModbusUnitCounters: Hashable, Sendable {
    /// Requests received for the unit, by function code, whatever their answer.
    public internal(set) var requests: [UInt8: Int] = [:]
    /// Exception responses sent, whether a behavior chose them or the bank could not serve.
    public internal(set) var exceptions = 0
    /// Write requests (FC 5, 6, 15, 16) applied to the unit's bank.
    public internal(set) var writes = 0
    /// Requests left without an answer: ignored by a behavior, or for a unit the server lacks.
    public internal(set) var unanswered = 0

    /// Creates counters at zero.
    public init() {}

    /// All requests received for the unit.
    public var totalRequests: Int { requests.values.reduce(0, +) }

    /// Requests received with the given function code.
    public func requests(_ function: ModbusFunction) -> Int { requests[function.code] ?? 0 }
}
