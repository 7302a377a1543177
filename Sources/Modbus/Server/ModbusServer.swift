public import Logging
import Synchronization

/// A Modbus server (slave) for tests and simulators: TCP for many clients, RTU on a pseudo-terminal.
///
/// Each unit id is answered from its own `RegisterBank`; a `ModbusServerBehavior` may override any
/// answer with an exception, with silence, or with a fault: a late answer, a corrupted or
/// truncated one, a dropped connection, an answer from the wrong unit (see
/// `ModbusServerDecision`). Every loop runs on a thread of its own, never on the cooperative pool,
/// and `stop()` returns only when all of them have closed their sockets.
///
/// ```swift
/// let bank = RegisterBank(holdingRegisters: 100)
/// bank.setHoldingRegisters([1200, 34], at: 10)
/// let server = ModbusServer(units: [1: bank])
/// let port = try server.startTCP()
/// ```
public final class ModbusServer: Sendable {
    /// How the server answers a request for a unit id it has no bank for.
    public enum UnknownUnitPolicy: Hashable, Sendable {
        /// Answer with this exception, as a gateway does (exception 11, "gateway target device
        /// failed to respond", by default). Applies to TCP; on an RTU line an absent unit is silent.
        case exception(ModbusException)
        /// Send nothing, so the client times out.
        case ignore
    }

    private let router: RequestRouter
    private let loops = Mutex<[ServerLoopThread]>([])
    private let logger: Logger

    /// Creates a server for `units`; it serves nothing until `startTCP` or `startRTU`.
    public init(
        units: [UInt8: RegisterBank] = [:],
        unknownUnit: UnknownUnitPolicy = .exception(.gatewayTargetFailedToRespond),
        behavior: any ModbusServerBehavior = StandardServerBehavior(),
        logger: Logger = Logger(label: "stockpile.modbus.server")
    ) {
        router = RequestRouter(.init(units: units, unknownUnit: unknownUnit, behavior: behavior))
        self.logger = logger
    }

    deinit {
        stop()
    }

    // MARK: - Configuration, changeable while serving

    /// The register bank of every unit id served. Several ids may share one bank.
    public var units: [UInt8: RegisterBank] {
        get { router.state.withLock { $0.units } }
        set { router.state.withLock { $0.units = newValue } }
    }

    /// The register bank of one unit id; setting nil takes the unit off the server.
    public subscript(unit unit: UInt8) -> RegisterBank? {
        get { router.state.withLock { $0.units[unit] } }
        set { router.state.withLock { $0.units[unit] = newValue } }
    }

    /// What a TCP request for a unit without a bank gets.
    public var unknownUnit: UnknownUnitPolicy {
        get { router.state.withLock { $0.unknownUnit } }
        set { router.state.withLock { $0.unknownUnit = newValue } }
    }

    /// The hook that decides each answer.
    public var behavior: any ModbusServerBehavior {
        get { router.state.withLock { $0.behavior } }
        set { router.state.withLock { $0.behavior = newValue } }
    }

    /// Called for every request carried out, with the bytes in and out, for `stockpile simulate
    /// --trace`; nil (the default) costs nothing beyond one check per answer.
    ///
    /// Runs on the loop's thread, once the answer was written or withheld, before the behavior's
    /// `didServe`; like a behavior it holds up that loop while it runs, so it should hand the
    /// event on (to a logger, a stream) rather than do slow work, and must not call `stop()`.
    public var trace: (@Sendable (ModbusTraceEvent) -> Void)? {
        get { router.state.withLock { $0.trace } }
        set { router.state.withLock { $0.trace = newValue } }
    }

    // MARK: - Serving

    /// Listens for Modbus TCP clients on `host` (an IPv4 or IPv6 literal or a name) and `port`,
    /// and serves them until `stop()`; returns the port actually bound (an ephemeral one for 0).
    ///
    /// Binding the port of a server just stopped works (the socket reuses the address), so a test
    /// can simulate a device restart. Several listeners may run at once.
    @discardableResult
    public func startTCP(host: String = "127.0.0.1", port: Int = 0) throws(ModbusError) -> Int {
        let thread = try ServerLoopThread(name: "modbus server \(ModbusTransport.tcp(host: host, port: port))")
        let (router, logger) = (router, logger)
        let bound = try thread.start { (thread) throws(ModbusError) in
            let loop = try TCPServerLoop(host: host, port: port, thread: thread, router: router, logger: logger)
            return (loop.port, loop.run)
        }
        loops.withLock { $0.append(thread) }
        return bound
    }

    /// Serves Modbus RTU on `terminal`'s master side until `stop()`, for every unit on the line.
    ///
    /// Frames with a bad CRC and requests for units without a bank get no answer, as on a real
    /// line; a delayed answer goes out at its time, even if the master has given up on it and is
    /// talking to another unit. The server keeps a descriptor of its own, so closing the terminal
    /// does not disturb it while a client still has the line open. Whenever the last client closes
    /// the line, however it ended, the server puts the terminal's settings back
    /// (`PseudoTerminal.restoreSettings()`), so the line serves the next client whatever the last
    /// one left behind.
    ///
    /// With `pacing`, the line runs at wire speed: each answer is released no earlier than a real
    /// line at that baud would deliver it, one frame at a time (see `RTUWireTiming`); without, at
    /// once.
    public func startRTU(on terminal: PseudoTerminal, pacing: RTUWireTiming? = nil) throws(ModbusError) {
        let thread = try ServerLoopThread(name: "modbus server \(terminal.slavePath)")
        let line = try terminal.duplicateMaster()
        let (router, logger) = (router, logger)
        // The loop owns `line` from here on, and closes it even if its set-up fails.
        try thread.start { (thread) throws(ModbusError) in
            let loop = try RTUServerLoop(
                line: line, terminal: terminal, pacing: pacing, thread: thread, router: router, logger: logger)
            return ((), loop.run)
        }
        loops.withLock { $0.append(thread) }
    }

    /// Stops every loop and waits until each has closed its sockets and descriptors.
    ///
    /// Blocks for at most the request being served at that moment. Calling it from a behavior
    /// (on a loop's own thread) deadlocks.
    public func stop() {
        let running = loops.withLock { (loops) -> [ServerLoopThread] in
            defer { loops = [] }
            return loops
        }
        for loop in running { loop.requestStop() }
        for loop in running { loop.waitUntilFinished() }
    }

    /// True while at least one loop was started and not stopped.
    public var isRunning: Bool { loops.withLock { !$0.isEmpty } }

    // MARK: - Counters

    /// What the server did for `unit` since it was created or `resetCounters()`.
    public func counters(for unit: UInt8) -> ModbusUnitCounters {
        router.state.withLock { $0.counters[unit] } ?? ModbusUnitCounters()
    }

    /// The counters of every unit id that received a request.
    public var counters: [UInt8: ModbusUnitCounters] { router.state.withLock { $0.counters } }

    /// RTU frames dropped before they reached a unit: bad CRC, impossible length, noise.
    public var discardedFrames: Int { router.state.withLock { $0.discardedFrames } }

    /// Sets every counter back to zero.
    public func resetCounters() {
        router.state.withLock {
            $0.counters = [:]
            $0.discardedFrames = 0
        }
    }
}
