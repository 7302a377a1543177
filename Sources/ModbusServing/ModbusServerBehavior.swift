import Modbus
/// The hook through which a test or a simulator shapes a server's answers.
///
/// Both methods run on the server's loop thread, one request at a time per loop. To imitate a slow
/// device, return `.delay(_:then:)`: the loop keeps serving everyone else meanwhile. A behavior
/// that blocks instead holds up every client of that loop, as a single-threaded device would; it
/// must not call `ModbusServer.stop()`, which waits for that very thread.
public protocol ModbusServerBehavior: Sendable {
    /// Chooses what to do with a request addressed to a unit the server has a bank for.
    /// The default answers normally.
    func decide(_ request: ModbusRequest) -> ModbusServerDecision

    /// Reports a request once its answer was sent or withheld: for a `.delay`, at the end of the
    /// delay; for a connection that closed first, when it closed. `decision` is what was carried
    /// out: a `.reply` the bank could not serve arrives as the exception that was sent (also inside
    /// a `.delay`); a fault arrives as itself. The default does nothing.
    func didServe(_ request: ModbusRequest, decision: ModbusServerDecision)
}

extension ModbusServerBehavior {
    /// Answers normally.
    public func decide(_ request: ModbusRequest) -> ModbusServerDecision { .reply }

    /// Does nothing.
    public func didServe(_ request: ModbusRequest, decision: ModbusServerDecision) {}
}

/// A behavior that answers every request from the register banks, as a healthy device does.
public struct StandardServerBehavior: ModbusServerBehavior {
    /// Creates the behavior.
    public init() {}
}

/// A behavior whose decision is a closure, for tests that need one special case.
///
/// ```swift
/// server.behavior = ClosureServerBehavior { $0.address == 7 ? .exception(.serverDeviceBusy) : .reply }
/// ```
public struct ClosureServerBehavior: ModbusServerBehavior {
    private let decision: @Sendable (ModbusRequest) -> ModbusServerDecision

    /// Creates a behavior that asks `decide` about every request.
    public init(_ decide: @escaping @Sendable (ModbusRequest) -> ModbusServerDecision) {
        decision = decide
    }

    /// Returns what the closure decides.
    public func decide(_ request: ModbusRequest) -> ModbusServerDecision { decision(request) }
}
