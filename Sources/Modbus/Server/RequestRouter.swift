import Synchronization

/// What a server loop does with one request, after the router decided.
enum ServerAction {
    /// `modbus_reply` against this bank.
    case reply(RegisterBank)
    /// An RTU broadcast write: applied to every bank, answered by none.
    case broadcast([RegisterBank])
    /// `modbus_reply_exception` with this code.
    case exception(ModbusException)
    /// No answer at all.
    case silence
}

/// The state a server's loops share: the units, the policies, the behavior and the counters.
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
        var counters: [UInt8: ModbusUnitCounters] = [:]
        var discardedFrames = 0
    }

    let state: Mutex<State>

    init(_ state: sending State) {
        self.state = Mutex(state)
    }

    /// Decides the action for `request` and counts it. Counting happens here, before the answer
    /// goes out, so a client that has its answer also sees it counted.
    func route(_ request: ModbusRequest, transport: Transport) -> (ServerAction, ModbusServerDecision) {
        let (bank, allBanks, policy, behavior) = state.withLock {
            ($0.units[request.unit], Array($0.units.values), $0.unknownUnit, $0.behavior)
        }
        let action: ServerAction
        let decision: ModbusServerDecision
        if transport == .rtu, request.unit == 0 {
            // A broadcast: every slave on the line applies a write and none answers.
            if behavior.decide(request) == .reply, request.isWrite {
                (action, decision) = (.broadcast(allBanks.filter { $0.exception(for: request) == nil }), .reply)
            } else {
                (action, decision) = (.silence, .ignore)
            }
        } else if let bank, transport == .tcp || request.unit <= 247 {
            // The behavior runs outside the lock: it may take its time or read the server's state.
            switch behavior.decide(request) {
            case .reply:
                if let exception = bank.exception(for: request) {
                    (action, decision) = (.exception(exception), .exception(exception))
                } else {
                    (action, decision) = (.reply(bank), .reply)
                }
            case .exception(let exception): (action, decision) = (.exception(exception), .exception(exception))
            case .ignore: (action, decision) = (.silence, .ignore)
            }
        } else if transport == .tcp, case .exception(let exception) = policy {
            // A gateway answers for its missing targets; on a serial line an absent slave is silent.
            (action, decision) = (.exception(exception), .exception(exception))
        } else {
            (action, decision) = (.silence, .ignore)
        }
        count(request, decision)
        return (action, decision)
    }

    /// Tells the behavior the request was served.
    func served(_ request: ModbusRequest, decision: ModbusServerDecision) {
        let behavior = state.withLock { $0.behavior }
        behavior.didServe(request, decision: decision)
    }

    /// Counts a frame dropped before it reached a unit: a bad CRC, an impossible length, noise.
    func countDiscardedFrame() {
        state.withLock { $0.discardedFrames += 1 }
    }

    private func count(_ request: ModbusRequest, _ decision: ModbusServerDecision) {
        state.withLock { state in
            var counters = state.counters[request.unit] ?? ModbusUnitCounters()
            counters.requests[request.functionCode, default: 0] += 1
            switch decision {
            case .reply:
                if request.isWrite { counters.writes += 1 }
            case .exception:
                counters.exceptions += 1
            case .ignore:
                counters.unanswered += 1
            }
            state.counters[request.unit] = counters
        }
    }
}
