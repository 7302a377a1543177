import Modbus
import ModbusServing
public import SimulatorCore

/// A fault in force on one device, with what is left of it.
public struct ActiveFault: Sendable {
    public var fault: Fault
    public var startedAt: SimulatedTime
    /// Requests still to be spoiled; nil for no limit.
    public var remainingRequests: Int?

    public init(fault: Fault, startedAt: SimulatedTime) {
        self.fault = fault
        self.startedAt = startedAt
        self.remainingRequests = fault.requests
    }

    /// True once its duration has run out or its requests are used up.
    public func hasExpired(at now: SimulatedTime) -> Bool {
        if let remaining = remainingRequests, remaining <= 0 { return true }
        if let duration = fault.duration, now.seconds(since: startedAt) >= duration { return true }
        return false
    }

    /// What the server does with a request while this fault holds, drawing chance from `rng`.
    func decision(using rng: inout SeededGenerator) -> ModbusServerDecision {
        switch fault.kind {
        case .offline: return .ignore
        case .slow(let delay, let jitter):
            let seconds = delay + jitter * rng.uniform()
            return .delay(.nanoseconds(Int64(seconds * 1e9)), then: .reply)
        case .exception(let code, let probability):
            return rng.uniform() < probability ? .exception(ModbusException(rawValue: code)) : .reply
        case .badCRC: return .corruptCRC
        case .truncated: return .truncate
        case .dropConnection: return .dropConnection
        case .wrongUnit: return .wrongUnit
        }
    }
}
