import Foundation
public import Logging

/// A Modbus TCP or RTU client whose libmodbus context lives on a thread of its own.
///
/// Every request runs on the client's `DedicatedThreadExecutor`, never on the cooperative pool.
/// A caller that performs several requests in a row (a device's whole poll) can run them in one
/// hop with `withSession(_:)`.
///
/// Recovery: after a timeout or a malformed reply the input is flushed so a late answer cannot be
/// taken for the next one; after a broken connection the context is closed and reopened, at once
/// for the first attempt and then with a doubling back-off up to the configured maximum. Reads are
/// retried once on a fresh connection; writes never are.
public actor ModbusClient {
    public nonisolated let configuration: ModbusClientConfiguration
    private nonisolated let executor: DedicatedThreadExecutor
    private nonisolated let interruption = ModbusInterruption()
    private let connection: ModbusConnection
    private let logger: Logger
    private var backoff: Duration
    private var nextConnectAttempt: ContinuousClock.Instant?
    /// Why the last attempt to connect failed: what a request during the back-off is told, so a
    /// refused connection reads as refused, not as a closed one.
    private var lastConnectFailure: ModbusError?
    private var wasConnected = false

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Creates the context; connects on the first request (or on `connect()`).
    public init(
        configuration: ModbusClientConfiguration, logger: Logger = Logger(label: "stockpile.modbus")
    )
        throws(ModbusError)
    {
        self.configuration = configuration
        // The context first: when it cannot be created, init throws and deinit never runs, so an
        // executor thread started before it would wait for jobs for ever.
        self.connection = try ModbusConnection(configuration: configuration, interruption: interruption)
        self.executor = DedicatedThreadExecutor(name: "modbus \(configuration.transport)")
        var logger = logger
        logger[metadataKey: "transport"] = "\(configuration.transport)"
        self.logger = logger
        self.backoff = configuration.reconnectBackoff
    }

    deinit {
        executor.shutdown()
    }

    /// Opens the connection now rather than on the first request.
    public func connect() throws(ModbusError) {
        try ensureOpen(for: .connect, unit: nil)
    }

    /// Asks the client, from any thread, to stop: the request on the wire ends by its own
    /// timeout, nothing more is sent (requests fail with `.interrupted`), and no wait is started.
    /// Callers that loop over requests check `isInterrupted` between them. Not undone.
    public nonisolated func interrupt() {
        interruption.request()
    }

    /// Whether `interrupt()` was called.
    public nonisolated var isInterrupted: Bool { interruption.isRequested }

    /// Answers received and discarded because they belonged to another request (another unit,
    /// function, byte count or transaction id): late answers, or a neighbour's.
    public var discardedAnswers: Int { connection.discardedAnswers }

    /// Sets how long a unit that timed out is kept quiet on a serial line (nil: the default rule,
    /// `ModbusClientConfiguration.defaultLateAnswerGuard(after:)`). Applies to later timeouts.
    public func setLateAnswerGuard(_ duration: Duration?) {
        connection.lateAnswerGuard = duration
    }

    /// When `unit` may be asked again after a timeout on a serial line; nil when it may now. A
    /// request sent earlier waits on the client's thread until then, holding up the line.
    public func quietEnd(unit: UInt8) -> ContinuousClock.Instant? {
        connection.quietEnd(unit: unit)
    }

    /// Lifts `unit`'s guard for a retry of the same request within the same poll, whose answer
    /// the first attempt's late answer may stand for.
    public func waiveQuiet(unit: UInt8) {
        connection.waiveQuiet(unit: unit)
    }

    /// Waits out the late-answer guards of units that timed out (discarding what they send), then
    /// closes: the next master on the line, in this process or another, starts clean. A probe or
    /// a command ends this way; an agent shutting down closes at once.
    public func finish() {
        connection.waitOutLateAnswers()
        close()
    }

    /// Closes the connection; the next request opens it again.
    public func close() {
        connection.close()
        nextConnectAttempt = nil
        backoff = configuration.reconnectBackoff
    }

    /// Sets the response timeout of the requests that follow (devices sharing a line may differ).
    public func setResponseTimeout(_ timeout: Duration) {
        connection.setResponseTimeout(timeout)
    }

    /// Runs `body` on the client's thread, so a sequence of requests costs one hop.
    public func withSession<T: Sendable, E: Error>(
        _ body: @Sendable (isolated ModbusClient) throws(E) -> T
    ) throws(E) -> T {
        try body(self)
    }

    public func readHoldingRegisters(unit: UInt8, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        try perform(.readHoldingRegisters, unit: unit, address: address, count: count, retry: true) {
            (connection) throws(ModbusError) in
            try connection.readRegisters(.readHoldingRegisters, unit: unit, address: address, count: count)
        }
    }

    public func readInputRegisters(unit: UInt8, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        try perform(.readInputRegisters, unit: unit, address: address, count: count, retry: true) {
            (connection) throws(ModbusError) in
            try connection.readRegisters(.readInputRegisters, unit: unit, address: address, count: count)
        }
    }

    public func readCoils(unit: UInt8, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        try perform(.readCoils, unit: unit, address: address, count: count, retry: true) {
            (connection) throws(ModbusError) in
            try connection.readBits(.readCoils, unit: unit, address: address, count: count)
        }
    }

    public func readDiscreteInputs(unit: UInt8, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        try perform(.readDiscreteInputs, unit: unit, address: address, count: count, retry: true) {
            (connection) throws(ModbusError) in
            try connection.readBits(.readDiscreteInputs, unit: unit, address: address, count: count)
        }
    }

    /// Writes one register (FC 6) or several (FC 16); `multiple` sends even one with FC 16, for
    /// devices that take only that.
    public func writeRegisters(
        unit: UInt8, address: Int, values: [UInt16], multiple: Bool = false
    )
        throws(ModbusError)
    {
        let function: ModbusFunction =
            values.count == 1 && !multiple ? .writeSingleRegister : .writeMultipleRegisters
        try perform(function, unit: unit, address: address, count: values.count, retry: false) {
            (connection) throws(ModbusError) in
            try connection.writeRegisters(unit: unit, address: address, values: values, multiple: multiple)
        }
    }

    /// Writes one coil (FC 5) or several (FC 15); `multiple` sends even one with FC 15.
    public func writeCoils(unit: UInt8, address: Int, values: [Bool], multiple: Bool = false) throws(ModbusError) {
        let function: ModbusFunction = values.count == 1 && !multiple ? .writeSingleCoil : .writeMultipleCoils
        try perform(function, unit: unit, address: address, count: values.count, retry: false) {
            (connection) throws(ModbusError) in
            try connection.writeCoils(unit: unit, address: address, values: values, multiple: multiple)
        }
    }

    /// Report server id (FC 17): the raw bytes after the byte count (server id, run indicator, data).
    public func reportServerID(unit: UInt8) throws(ModbusError) -> [UInt8] {
        try perform(.reportServerID, unit: unit, address: nil, count: nil, retry: true) {
            (connection) throws(ModbusError) in
            try connection.reportServerID(unit: unit)
        }
    }

    // MARK: - Recovery

    private func perform<T>(
        _ function: ModbusFunction, unit: UInt8, address: Int?, count: Int?, retry: Bool,
        _ operation: (ModbusConnection) throws(ModbusError) -> T
    ) throws(ModbusError) -> T {
        try ensureOpen(for: function, unit: unit)
        do {
            return try operation(connection)
        } catch {
            recover(from: error)
            guard retry, error.breaksConnection else { throw error }
            try ensureOpen(for: function, unit: unit)
            do {
                return try operation(connection)
            } catch {
                recover(from: error)
                throw error
            }
        }
    }

    private func recover(from error: ModbusError) {
        if error.breaksConnection {
            connection.close()
            if wasConnected {
                logger.warning("connection lost", metadata: ["error": "\(error)"])
                wasConnected = false
            }
        } else if error.cause != .invalidRequest, error.cause != .interrupted {
            // A late or partial reply must not be read as the answer to the next request.
            connection.flush()
        }
    }

    private func ensureOpen(for function: ModbusFunction, unit: UInt8?) throws(ModbusError) {
        guard !connection.isOpen else { return }
        if interruption.isRequested {
            throw ModbusError(cause: .interrupted, function: function, unit: unit, message: "not sent: shutting down")
        }
        let now = ContinuousClock.now
        if let next = nextConnectAttempt, now < next {
            let seconds = String(
                format: "%.1f",
                Double((next - now).components.seconds)
                    + Double((next - now).components.attoseconds) / 1e18)
            guard let failure = lastConnectFailure else {
                throw ModbusError(
                    cause: .connectionClosed, function: function, unit: unit,
                    message: "not connected to \(configuration.transport); next attempt in \(seconds) s")
            }
            throw ModbusError(
                cause: failure.cause, function: function, unit: unit, code: failure.code,
                message:
                    "cannot connect to \(configuration.transport): \(failure.message); next attempt in \(seconds) s")
        }
        do {
            try connection.open()
            backoff = configuration.reconnectBackoff
            nextConnectAttempt = nil
            lastConnectFailure = nil
            wasConnected = true
            logger.info("connected")
        } catch {
            nextConnectAttempt = now + backoff
            if lastConnectFailure?.cause != error.cause {
                // Once per kind of failure, in its own words: "connection refused", "cannot open".
                logger.warning("cannot connect", metadata: ["error": "\(error)", "retry_in": "\(backoff)"])
            }
            lastConnectFailure = error
            backoff = min(backoff * 2, configuration.maximumReconnectBackoff)
            throw ModbusError(
                cause: error.cause, function: function, unit: unit, code: error.code,
                message: "cannot connect to \(configuration.transport): \(error.message)")
        }
    }
}
