public import Modbus
/// What a server did for one unit id since it was created or its counters were reset.
///
/// A request is counted when it is decided, so a client that has its answer also sees it counted;
/// a delayed answer is counted as delayed (and as what it will be) before it goes out. The fault
/// counters are not exclusive of the others: a truncated exception answer counts in `exceptions`
/// and in `truncated`, a dropped connection in `unanswered` and in `droppedConnections`.
public struct ModbusUnitCounters: Hashable, Sendable {
    /// Requests received for the unit, by function code, whatever their answer.
    public internal(set) var requests: [UInt8: Int] = [:]
    /// Exception responses sent, whether a behavior chose them or the bank could not serve.
    public internal(set) var exceptions = 0
    /// Write requests (FC 5, 6, 15, 16) applied to the unit's bank.
    public internal(set) var writes = 0
    /// Requests left without a byte of answer: ignored by a behavior, for a unit the server lacks,
    /// or met with `.dropConnection`.
    public internal(set) var unanswered = 0
    /// Requests whose answer (or silence) a `.delay` decision held back.
    public internal(set) var delayed = 0
    /// Answers sent with a corrupted CRC (RTU) or function code (TCP), for `.corruptCRC`.
    public internal(set) var corrupted = 0
    /// Answers cut to their first half, for `.truncate`.
    public internal(set) var truncated = 0
    /// Requests met with `.dropConnection`: a closed connection on TCP, silence on RTU.
    public internal(set) var droppedConnections = 0
    /// Answers sent under another unit id, for `.wrongUnit`.
    public internal(set) var misaddressed = 0

    /// Creates counters at zero.
    public init() {}

    /// All requests received for the unit.
    public var totalRequests: Int { requests.values.reduce(0, +) }

    /// Requests received with the given function code.
    public func requests(_ function: ModbusFunction) -> Int { requests[function.code] ?? 0 }
}
