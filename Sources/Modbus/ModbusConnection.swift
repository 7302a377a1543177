internal import CModbus
import Foundation
import Glibc

/// One libmodbus context and its socket or serial line.
///
/// Owned by exactly one `ModbusClient` and used only on that client's thread; it is deliberately
/// not `Sendable`. Every call into libmodbus goes through `call(_:unit:address:count:_:)`, which
/// reads errno immediately after a failure.
final class ModbusConnection {
    private let context: OpaquePointer
    let configuration: ModbusClientConfiguration
    private(set) var isOpen = false
    private var lastTransactionEnd: ContinuousClock.Instant?
    /// Set when a request failed without a complete answer (a timeout, a malformed reply): its
    /// answer, or the rest of it, may still arrive after the flush that followed the failure.
    private var lateAnswerPossible = false
    /// The transaction id libmodbus put on the last TCP request: it counts every request it builds
    /// from 0 when the context is made (1, 2, … 65535, 0, …), and this mirror counts the same
    /// requests, since every request goes through `transaction`. Were it ever off, an answer would
    /// be read past as another's and the request would time out: never a wrong value.
    private var transactionID: UInt16 = 0
    /// Per unit on a serial line: until when it is not asked again after failing to answer in
    /// time, because its late answer could still arrive and would look like the next one's.
    private var quietUntil: [UInt8: ContinuousClock.Instant] = [:]
    /// Answers received and discarded because they belonged to another request.
    private(set) var discardedAnswers = 0
    private var responseTimeout: Duration
    /// How long a unit that timed out is kept quiet on a serial line; nil: the default rule for
    /// the response timeout in force.
    var lateAnswerGuard: Duration?
    let interruption: ModbusInterruption

    init(
        configuration: ModbusClientConfiguration, interruption: ModbusInterruption = ModbusInterruption()
    )
        throws(ModbusError)
    {
        self.configuration = configuration
        self.interruption = interruption
        self.responseTimeout = configuration.responseTimeout
        let created: OpaquePointer?
        switch configuration.transport {
        case .tcp(let host, let port):
            created = modbus_new_tcp_pi(host, String(port))
        case .rtu(let line):
            let parity = CChar(UInt8(ascii: line.parity.rawValue.unicodeScalars.first!))
            created = modbus_new_rtu(line.device, Int32(line.baud), parity, Int32(line.dataBits), Int32(line.stopBits))
        }
        guard let created else {
            let code = cmodbus_errno()
            throw ModbusError(
                cause: .invalidRequest, function: .connect, code: code,
                message: "cannot create a context for \(configuration.transport): \(Self.text(for: code))")
        }
        context = created
        let response = configuration.responseTimeout.secondsAndMicroseconds
        modbus_set_response_timeout(context, response.seconds, response.microseconds)
        let byte = configuration.byteTimeout.secondsAndMicroseconds
        modbus_set_byte_timeout(context, byte.seconds, byte.microseconds)
        // Recovery is ours (flush, reconnect with back-off), not libmodbus's silent retries.
        modbus_set_error_recovery(context, MODBUS_ERROR_RECOVERY_NONE)
    }

    deinit {
        close()
        modbus_free(context)
    }

    /// The silence kept between two transactions: the configured pause, or on a serial line the
    /// longer of it and the line's inter-frame delay.
    private var pauseBetweenRequests: Duration {
        if case .rtu(let line) = configuration.transport {
            return max(line.interFrameDelay, configuration.pauseBetweenRequests)
        }
        return configuration.pauseBetweenRequests
    }

    /// Sets how long to wait for the first byte of each answer from now on (devices on one line
    /// may differ).
    func setResponseTimeout(_ timeout: Duration) {
        responseTimeout = timeout
        applyResponseTimeout(timeout)
    }

    private func applyResponseTimeout(_ timeout: Duration) {
        let response = timeout.secondsAndMicroseconds
        modbus_set_response_timeout(context, response.seconds, response.microseconds)
    }

    var isSerial: Bool {
        if case .rtu = configuration.transport { return true }
        return false
    }

    func open() throws(ModbusError) {
        guard !isOpen else { return }
        guard case .rtu(let line) = configuration.transport else {
            _ = try call(.connect, unit: nil) { modbus_connect($0) }
            try refuseBeyondSelectLimit()
            isOpen = true
            try pauseAfterConnect()
            return
        }
        try openSerialLine(line)
        try refuseBeyondSelectLimit()
        isOpen = true
        try pauseAfterConnect()
    }

    /// libmodbus waits for answers with `select()`, whose descriptor sets end at `FD_SETSIZE` (1024): a
    /// connection on a higher descriptor would abort the whole process at its first wait (glibc's fortify
    /// check). Such a connection is closed and refused instead, as a clear error on this device alone.
    private func refuseBeyondSelectLimit() throws(ModbusError) {
        let descriptor = modbus_get_socket(context)
        guard descriptor >= FD_SETSIZE else { return }
        if isSerial { cmodbus_release_serial_line(descriptor) }
        modbus_close(context)
        throw ModbusError(
            cause: .cannotOpen, function: .connect, code: EMFILE,
            message: "the connection got file descriptor \(descriptor), beyond the \(FD_SETSIZE) libmodbus can wait on "
                + "(select): the process has too many files open")
    }

    private func pauseAfterConnect() throws(ModbusError) {
        if configuration.pauseAfterConnect > .zero {
            // On this connection's own thread: only this connection waits.
            _ = interruption.sleep(until: .now + configuration.pauseAfterConnect)
        }
    }

    /// Opens the serial line and claims it for this process, with errors that name the line and
    /// what is wrong with it (libmodbus says only "Invalid argument" or the bare errno text).
    private func openSerialLine(_ line: SerialLine) throws(ModbusError) {
        let path = line.device
        func failure(_ code: Int32, _ what: String) -> ModbusError {
            ModbusError(
                cause: .cannotOpen, function: .connect, code: code,
                message: "\(what) \(path): \(String(cString: strerror(code))) (errno \(code))")
        }
        var status = stat()
        if stat(path, &status) != 0 {
            throw failure(errno, "cannot open the serial line")
        }
        if (status.st_mode & S_IFMT) != S_IFCHR {
            let kind = (status.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a character device"
            throw ModbusError(
                cause: .cannotOpen, function: .connect, code: ENOTTY,
                message: "cannot open the serial line \(path): it is \(kind), not a serial device")
        }
        // Another master first: its lock is the answer, whatever libmodbus would make of a tty
        // that is held exclusively.
        let peek = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        let busy = peek < 0 && errno == EBUSY
        if peek >= 0 || busy {
            let held = busy || (flock(peek, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
            if peek >= 0 { Glibc.close(peek) }
            if held { throw Self.lineInUse(path) }
        }
        if modbus_connect(context) == -1 {
            let code = cmodbus_errno()
            let meaning =
                code == ENOTTY || code == EINVAL
                ? "\(path) is not a serial device (terminal settings refused: \(String(cString: strerror(code))), errno \(code))"
                : "\(path): \(String(cString: strerror(code))) (errno \(code))"
            throw ModbusError(
                cause: .cannotOpen, function: .connect, code: code, message: "cannot open the serial line \(meaning)")
        }
        let descriptor = modbus_get_socket(context)
        if cmodbus_claim_serial_line(descriptor) != 0 {
            let code = cmodbus_errno()
            modbus_close(context)
            if code == EWOULDBLOCK { throw Self.lineInUse(path) }
            throw ModbusError(
                cause: .cannotOpen, function: .connect, code: code,
                message: "cannot lock the serial line \(path): \(String(cString: strerror(code))) (errno \(code))")
        }
        if line.rs485, modbus_rtu_set_serial_mode(context, Int32(MODBUS_RTU_RS485)) == -1 {
            let code = cmodbus_errno()
            cmodbus_release_serial_line(descriptor)
            modbus_close(context)
            throw ModbusError(
                cause: .cannotOpen, function: .connect, code: code,
                message: "the serial line \(path) refuses RS-485 mode (TIOCSRS485): \(String(cString: strerror(code))) "
                    + "(errno \(code)); a pseudo-terminal or a plain RS-232 port has none: leave rs485 off")
        }
    }

    /// The one refusal a second master gets, whichever check finds the line held.
    private static func lineInUse(_ path: String) -> ModbusError {
        ModbusError(
            cause: .lineInUse, function: .connect, code: EWOULDBLOCK,
            message: "the serial line \(path) is in use by another master (a running agent, probe or command); "
                + "one line takes one master")
    }

    func close() {
        guard isOpen else { return }
        if isSerial { cmodbus_release_serial_line(modbus_get_socket(context)) }
        modbus_close(context)
        isOpen = false
        lateAnswerPossible = false
        quietUntil = [:]
    }

    /// Keeps `unit` from being asked again for `duration`, from now: its answer to a request that
    /// timed out may still come, and on a serial line it would be taken for the next one's.
    /// A no-op on TCP, where the transaction id tells a late answer from a fresh one.
    func keepQuiet(unit: UInt8, for duration: Duration) {
        guard isSerial, duration > .zero else { return }
        let until = ContinuousClock.now + duration
        quietUntil[unit] = max(quietUntil[unit] ?? until, until)
    }

    /// Lifts `unit`'s guard: a retry of the same request in the same poll may take the first
    /// attempt's late answer, which belongs to the same poll.
    func waiveQuiet(unit: UInt8) {
        quietUntil[unit] = nil
    }

    /// When `unit` may be asked again; nil when it may be now.
    func quietEnd(unit: UInt8) -> ContinuousClock.Instant? {
        guard let until = quietUntil[unit], until > .now else { return nil }
        return until
    }

    /// Waits out every unit's guard, discarding what arrives, so the next master on the line (this
    /// process's or another's) starts clean. Returns early when interrupted.
    func waitOutLateAnswers() {
        guard isOpen, let last = quietUntil.values.max(), last > .now else { return }
        if interruption.sleep(until: last) { modbus_flush(context) }
        quietUntil = [:]
    }

    /// Discards whatever is waiting in the input buffer: a late reply after a timeout, or noise.
    func flush() {
        guard isOpen else { return }
        modbus_flush(context)
    }

    func readRegisters(
        _ function: ModbusFunction, unit: UInt8, address: Int, count: Int
    ) throws(ModbusError) -> [UInt16] {
        try checkCount(count, limit: 125, function, unit: unit, address: address)
        var values = [UInt16](repeating: 0, count: count)
        let expected = ExpectedAnswer(function: function, unit: unit, address: address, count: count)
        let outcome = try values.withUnsafeMutableBufferPointer { (buffer) throws(ModbusError) -> Outcome in
            try transaction(expected) { context in
                function == .readHoldingRegisters
                    ? modbus_read_registers(context, Int32(address), Int32(count), buffer.baseAddress)
                    : modbus_read_input_registers(context, Int32(address), Int32(count), buffer.baseAddress)
            }
        }
        switch outcome {
        case .result(let received):
            try checkReceived(received, expected: count, function, unit: unit, address: address)
            return values
        case .readPast(let body):
            return (0..<count).map { UInt16(body[1 + 2 * $0]) << 8 | UInt16(body[2 + 2 * $0]) }
        }
    }

    func readBits(_ function: ModbusFunction, unit: UInt8, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        try checkCount(count, limit: 2000, function, unit: unit, address: address)
        var bits = [UInt8](repeating: 0, count: count)
        let expected = ExpectedAnswer(function: function, unit: unit, address: address, count: count)
        let outcome = try bits.withUnsafeMutableBufferPointer { (buffer) throws(ModbusError) -> Outcome in
            try transaction(expected) { context in
                function == .readCoils
                    ? modbus_read_bits(context, Int32(address), Int32(count), buffer.baseAddress)
                    : modbus_read_input_bits(context, Int32(address), Int32(count), buffer.baseAddress)
            }
        }
        switch outcome {
        case .result(let received):
            try checkReceived(received, expected: count, function, unit: unit, address: address)
            return bits.map { $0 != 0 }
        case .readPast(let body):
            return (0..<count).map { body[1 + $0 / 8] & (1 << UInt8($0 % 8)) != 0 }
        }
    }

    func writeRegisters(unit: UInt8, address: Int, values: [UInt16], multiple: Bool = false) throws(ModbusError) {
        if values.count == 1, !multiple {
            let expected = ExpectedAnswer(
                function: .writeSingleRegister, unit: unit, address: address, count: 1, singleValue: values[0])
            _ = try transaction(expected) { context in modbus_write_register(context, Int32(address), values[0]) }
            return
        }
        try checkCount(values.count, limit: 123, .writeMultipleRegisters, unit: unit, address: address)
        let expected = ExpectedAnswer(
            function: .writeMultipleRegisters, unit: unit, address: address, count: values.count)
        _ = try values.withUnsafeBufferPointer { (buffer) throws(ModbusError) -> Outcome in
            try transaction(expected) { context in
                modbus_write_registers(context, Int32(address), Int32(buffer.count), buffer.baseAddress)
            }
        }
    }

    func writeCoils(unit: UInt8, address: Int, values: [Bool], multiple: Bool = false) throws(ModbusError) {
        if values.count == 1, !multiple {
            let expected = ExpectedAnswer(
                function: .writeSingleCoil, unit: unit, address: address, count: 1, singleValue: values[0] ? 0xFF00 : 0)
            _ = try transaction(expected) { context in modbus_write_bit(context, Int32(address), values[0] ? 1 : 0) }
            return
        }
        try checkCount(values.count, limit: 1968, .writeMultipleCoils, unit: unit, address: address)
        let bytes = values.map { UInt8($0 ? 1 : 0) }
        let expected = ExpectedAnswer(function: .writeMultipleCoils, unit: unit, address: address, count: values.count)
        _ = try bytes.withUnsafeBufferPointer { (buffer) throws(ModbusError) -> Outcome in
            try transaction(expected) { context in
                modbus_write_bits(context, Int32(address), Int32(buffer.count), buffer.baseAddress)
            }
        }
    }

    func reportServerID(unit: UInt8) throws(ModbusError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 256)
        let expected = ExpectedAnswer(function: .reportServerID, unit: unit)
        let outcome = try bytes.withUnsafeMutableBufferPointer { (buffer) throws(ModbusError) -> Outcome in
            try transaction(expected) { context in
                modbus_report_slave_id(context, Int32(buffer.count), buffer.baseAddress)
            }
        }
        switch outcome {
        case .result(let length): return Array(bytes.prefix(Int(min(length, 256))))
        case .readPast(let body): return Array(body.dropFirst())
        }
    }

    // MARK: - The one place that calls libmodbus and reads errno

    /// How a request ended: libmodbus's own result, or an answer found by reading past others.
    private enum Outcome {
        case result(Int32)
        /// The bytes after the function code (byte count first, for reads).
        case readPast([UInt8])
    }

    /// Sets the unit, keeps the line's silences and guards, and runs one request.
    ///
    /// Nothing that arrived before a request is sent can be its answer: on a serial line the input
    /// is flushed before every request, on TCP after any request that ended without its whole
    /// answer. An answer that arrives anyway and belongs to another request — another unit,
    /// function, byte count, or TCP transaction id — is discarded, counted, and the real answer
    /// read after it, within the response timeout. The one answer no check can tell apart is a
    /// late one from the same unit to the same kind of request, on a serial line: so a unit that
    /// timed out is kept quiet for its guard (`keepQuiet`), and the next request to it waits.
    private func transaction(
        _ expected: ExpectedAnswer, _ body: (OpaquePointer) -> Int32
    ) throws(ModbusError)
        -> Outcome
    {
        let function = expected.function
        let unit = expected.unit
        let address = expected.address
        let count = expected.count
        guard isOpen else {
            throw ModbusError(
                cause: .connectionClosed, function: function, unit: unit, address: address, count: count,
                message: "not connected to \(configuration.transport)")
        }
        if interruption.isRequested { throw interrupted(expected) }
        if let quietEnd = quietEnd(unit: unit) {
            guard interruption.sleep(until: quietEnd) else { throw interrupted(expected) }
            quietUntil[unit] = nil
        }
        if pauseBetweenRequests > .zero, let end = lastTransactionEnd {
            guard interruption.sleep(until: end + pauseBetweenRequests) else { throw interrupted(expected) }
        }
        if lateAnswerPossible || isSerial {
            modbus_flush(context)
            lateAnswerPossible = false
        }
        defer { lastTransactionEnd = ContinuousClock.now }
        _ = try call(function, unit: unit, address: address, count: count) { modbus_set_slave($0, Int32(unit)) }
        // libmodbus numbers the request it is about to build; keep the mirror in step.
        transactionID = transactionID == .max ? 0 : transactionID + 1
        let sent = ContinuousClock.now
        do {
            return .result(try call(function, unit: unit, address: address, count: count, body))
        } catch {
            if error.code == Int32(CMODBUS_EMBBADDATA) || error.code == Int32(CMODBUS_EMBBADSLAVE) {
                discardedAnswers += 1
                do {
                    return .readPast(try readPast(expected, deadline: sent + responseTimeout))
                } catch {
                    if case .exception = error.cause {} else { lateAnswerPossible = true }
                    if error.cause == .timeout || error.cause == .mismatchedResponse {
                        keepQuiet(
                            unit: unit,
                            for: lateAnswerGuard
                                ?? ModbusClientConfiguration.defaultLateAnswerGuard(after: responseTimeout))
                    }
                    throw error
                }
            }
            // A Modbus exception is a complete answer; anything else may leave one still to come.
            if case .exception = error.cause {} else { lateAnswerPossible = true }
            if error.cause == .timeout {
                keepQuiet(
                    unit: unit,
                    for: lateAnswerGuard ?? ModbusClientConfiguration.defaultLateAnswerGuard(after: responseTimeout))
            }
            throw error
        }
    }

    /// Reads answers after one that belonged to another request, until the expected one comes or
    /// the response timeout, counted from the request, runs out.
    private func readPast(_ expected: ExpectedAnswer, deadline: ContinuousClock.Instant) throws(ModbusError) -> [UInt8]
    {
        defer { applyResponseTimeout(responseTimeout) }
        var frame = [UInt8](repeating: 0, count: Int(CMODBUS_MAX_ADU_LENGTH))
        let tcpID: UInt16? = isSerial ? nil : transactionID
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .milliseconds(1) else { throw onlyOtherAnswers(expected) }
            applyResponseTimeout(remaining)
            let length = frame.withUnsafeMutableBufferPointer { modbus_receive_confirmation(context, $0.baseAddress) }
            if length == -1 {
                let code = cmodbus_errno()
                if code == ETIMEDOUT { throw onlyOtherAnswers(expected) }
                throw ModbusError(
                    cause: Self.cause(for: code), function: expected.function, unit: expected.unit,
                    address: expected.address, count: expected.count, code: code, message: Self.text(for: code))
            }
            switch expected.judge(Array(frame.prefix(Int(length))), transactionID: tcpID) {
            case .answer(let body):
                return body
            case .exception(let code):
                let exception = ModbusException(rawValue: code)
                throw ModbusError(
                    cause: .exception(exception), function: expected.function, unit: expected.unit,
                    address: expected.address, count: expected.count, code: Int32(CMODBUS_ENOBASE) + Int32(code),
                    message: exception.description)
            case .other:
                discardedAnswers += 1
            }
        }
    }

    /// Something answered, but never to this request (a unit set to another id, a late answer, a
    /// neighbour's): not silence.
    private func onlyOtherAnswers(_ expected: ExpectedAnswer) -> ModbusError {
        ModbusError(
            cause: .mismatchedResponse, function: expected.function, unit: expected.unit, address: expected.address,
            count: expected.count, code: Int32(CMODBUS_EMBBADDATA),
            message: "only answers to other requests (another unit, function, byte count or transaction) came "
                + "within the timeout; \(discardedAnswers) discarded on this connection so far")
    }

    private func interrupted(_ expected: ExpectedAnswer) -> ModbusError {
        ModbusError(
            cause: .interrupted, function: expected.function, unit: expected.unit, address: expected.address,
            count: expected.count, message: "not sent: the client is shutting down")
    }

    /// Calls libmodbus; on -1 (or a NULL-like failure) captures errno at once and throws.
    private func call(
        _ function: ModbusFunction, unit: UInt8?, address: Int? = nil, count: Int? = nil,
        _ body: (OpaquePointer) -> Int32
    ) throws(ModbusError) -> Int32 {
        let result = body(context)
        guard result == -1 else { return result }
        let code = cmodbus_errno()
        throw ModbusError(
            cause: Self.cause(for: code), function: function, unit: unit, address: address, count: count, code: code,
            message: Self.text(for: code))
    }

    private func checkCount(
        _ count: Int, limit: Int, _ function: ModbusFunction, unit: UInt8, address: Int
    )
        throws(ModbusError)
    {
        guard (1...limit).contains(count), (0...0xFFFF).contains(address), address + count <= 0x10000 else {
            throw ModbusError(
                cause: .invalidRequest, function: function, unit: unit, address: address, count: count,
                message: "a request reads 1–\(limit) values within addresses 0–65535")
        }
    }

    private func checkReceived(
        _ received: Int32, expected: Int, _ function: ModbusFunction, unit: UInt8, address: Int
    )
        throws(ModbusError)
    {
        guard Int(received) == expected else {
            throw ModbusError(
                cause: .mismatchedResponse, function: function, unit: unit, address: address, count: expected,
                message: "asked for \(expected) values, got \(received)")
        }
    }

    static func text(for code: Int32) -> String {
        String(cString: modbus_strerror(code))
    }

    /// Sorts an errno or libmodbus error number into the causes a poller acts on.
    static func cause(for code: Int32) -> ModbusError.Cause {
        let exceptionRange = (Int32(CMODBUS_EMBXILFUN))...(Int32(CMODBUS_EMBXGTAR))
        if exceptionRange.contains(code) {
            return .exception(ModbusException(rawValue: UInt8(code - Int32(CMODBUS_ENOBASE))))
        }
        switch code {
        case Int32(CMODBUS_EMBBADCRC): return .badCRC
        case Int32(CMODBUS_EMBBADDATA), Int32(CMODBUS_EMBBADSLAVE): return .mismatchedResponse
        case Int32(CMODBUS_EMBBADEXC), Int32(CMODBUS_EMBUNKEXC), Int32(CMODBUS_EMBMDATA): return .invalidResponse
        case ETIMEDOUT: return .timeout
        case ECONNREFUSED: return .connectionRefused
        case ECONNRESET, EPIPE: return .connectionReset
        case EBADF, ENOTCONN, ESHUTDOWN: return .connectionClosed
        case EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, EHOSTDOWN: return .hostUnreachable
        case ENOENT, EACCES, ENOTTY, ENXIO, ENODEV, EISDIR: return .cannotOpen
        case EINVAL: return .invalidRequest
        default: return .system
        }
    }
}
