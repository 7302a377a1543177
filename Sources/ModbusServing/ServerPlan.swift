import Modbus
/// How a server loop builds the honest answer to one request, before any fault.
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

/// What a loop does with one request: the answer to build, the fault to do to it, and how long to
/// hold it back; plus the decision as carried out, for the counters, `didServe` and the trace.
struct ServerPlan {
    var action: ServerAction
    var fault: AnswerFault?
    var delay: Duration = .zero
    /// The behavior's decision, except that a `.reply` the bank cannot serve becomes the exception
    /// sent (inside a `.delay` too).
    var decision: ModbusServerDecision
    /// A trace hook was set when the plan was made: the answer's bytes must be kept to report them.
    var traced = false

    /// Nothing to do to the answer but send it now: no delay, no fault, nobody to show the bytes to.
    var isPlainAnswer: Bool { delay == .zero && fault == nil && !traced }

    /// No answer, as for an absent unit.
    static let silence = ServerPlan(action: .silence, decision: .ignore)

    /// An exception answer outside any behavior (a gateway's absent unit).
    static func exception(_ exception: ModbusException) -> ServerPlan {
        ServerPlan(action: .exception(exception), decision: .exception(exception))
    }

    /// Resolves a behavior's `decision` for a request to a unit that has `bank`.
    init(_ decision: ModbusServerDecision, request: ModbusRequest, bank: RegisterBank) {
        switch decision {
        case .reply:
            if let exception = bank.exception(for: request) {
                self = .exception(exception)
            } else {
                self.init(action: .reply(bank), decision: .reply)
            }
        case .exception(let exception):
            self = .exception(exception)
        case .ignore:
            self = .silence
        case .dropConnection:
            self.init(action: .silence, fault: .dropConnection, decision: .dropConnection)
        case .corruptCRC, .truncate, .wrongUnit:
            self.init(.reply, request: request, bank: bank)
            fault =
                switch decision {
                case .corruptCRC: .corruptCRC
                case .truncate: .truncate
                default: .wrongUnit
                }
            self.decision = decision
        case .delay(let duration, let inner):
            self.init(inner, request: request, bank: bank)
            delay += max(duration, .zero)
            self.decision = .delay(duration, then: self.decision)
        }
    }

    init(action: ServerAction, fault: AnswerFault? = nil, decision: ModbusServerDecision) {
        self.action = action
        self.fault = fault
        self.decision = decision
    }

    /// Adds this plan to a unit's counters.
    func count(_ request: ModbusRequest, in counters: inout ModbusUnitCounters) {
        counters.requests[request.functionCode, default: 0] += 1
        switch action {
        case .reply: if request.isWrite { counters.writes += 1 }
        case .broadcast: counters.writes += 1
        case .exception: counters.exceptions += 1
        case .silence: counters.unanswered += 1
        }
        if case .delay = decision { counters.delayed += 1 }
        switch fault {
        case .corruptCRC: counters.corrupted += 1
        case .truncate: counters.truncated += 1
        case .dropConnection: counters.droppedConnections += 1
        case .wrongUnit: counters.misaddressed += 1
        case nil: break
        }
    }
}
