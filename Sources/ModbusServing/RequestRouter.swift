import Synchronization
import Modbus

/// The state a server's loops share: the units, the policies, the behavior, the trace hook and
/// the counters.
///
/// Kept apart from `ModbusServer` so that the loop threads do not keep the server alive: when the
/// last reference to the server goes, its `deinit` stops them.
final class RequestRouter: Sendable {
    /// Which framing a request came in, since the two treat absent units differently.
    enum Transport { case tcp, rtu }

    struct State {
        var units: [UInt8: RegisterBank]
        var unknownUnit: ModbusServer.UnknownUnitPolicy
        var behavior: any ModbusServerBehavior
        var trace: (@Sendable (ModbusTraceEvent) -> Void)? = nil
        var counters: [UInt8: ModbusUnitCounters] = [:]
        var discardedFrames = 0
    }

    let state: Mutex<State>

    init(_ state: sending State) {
        self.state = Mutex(state)
    }

    /// Decides the plan for `request` and counts it. Counting happens here, before the answer
    /// goes out, so a client that has its answer also sees it counted.
    func route(_ request: ModbusRequest, transport: Transport) -> ServerPlan {
        let (bank, policy, behavior, traced) = state.withLock {
            ($0.units[request.unit], $0.unknownUnit, $0.behavior, $0.trace != nil)
        }
        var plan: ServerPlan
        if transport == .rtu, request.unit == 0 {
            // A broadcast: every slave on the line applies a write and none answers.
            if behavior.decide(request) == .reply, request.isWrite {
                let allBanks = state.withLock { Array($0.units.values) }
                let banks = allBanks.filter { $0.exception(for: request) == nil }
                plan = ServerPlan(action: .broadcast(banks), decision: .reply)
            } else {
                plan = .silence
            }
        } else if let bank, transport == .tcp || request.unit <= 247 {
            // The behavior runs outside the lock: it may take its time or read the server's state.
            plan = ServerPlan(behavior.decide(request), request: request, bank: bank)
        } else if transport == .tcp, case .exception(let exception) = policy {
            // A gateway answers for its missing targets; on a serial line an absent slave is silent.
            plan = .exception(exception)
        } else {
            plan = .silence
        }
        plan.traced = traced
        state.withLock { plan.count(request, in: &$0.counters[request.unit, default: ModbusUnitCounters()]) }
        return plan
    }

    /// Tells the trace hook, if any, and the behavior that a request was carried out; `event`
    /// is only built when a hook is set.
    func served(_ request: ModbusRequest, decision: ModbusServerDecision, event: () -> ModbusTraceEvent) {
        let (behavior, trace) = state.withLock { ($0.behavior, $0.trace) }
        if let trace { trace(event()) }
        behavior.didServe(request, decision: decision)
    }

    /// Counts a frame dropped before it reached a unit: a bad CRC, an impossible length, noise.
    func countDiscardedFrame() {
        state.withLock { $0.discardedFrames += 1 }
    }
}
