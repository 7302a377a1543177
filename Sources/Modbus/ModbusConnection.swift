internal import CModbus
import Foundation

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

    init(configuration: ModbusClientConfiguration) throws(ModbusError) {
        self.configuration = configuration
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
        if isOpen { modbus_close(context) }
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
        let response = timeout.secondsAndMicroseconds
        modbus_set_response_timeout(context, response.seconds, response.microseconds)
    }

    var isSerial: Bool {
        if case .rtu = configuration.transport { return true }
        return false
    }

    func open() throws(ModbusError) {
        guard !isOpen else { return }
        _ = try call(.connect, unit: nil) { modbus_connect($0) }
        if case .rtu(let line) = configuration.transport, line.rs485 {
            _ = try call(.connect, unit: nil) { modbus_rtu_set_serial_mode($0, Int32(MODBUS_RTU_RS485)) }
        }
        isOpen = true
        if configuration.pauseAfterConnect > .zero {
            // On this connection's own thread: only this connection waits.
            usleep(UInt32(clamping: configuration.pauseAfterConnect.microseconds))
        }
    }

    func close() {
        guard isOpen else { return }
        modbus_close(context)
        isOpen = false
        lateAnswerPossible = false
    }

    /// Discards whatever is waiting in the input buffer: a late reply after a timeout, or noise.
    func flush() {
        guard isOpen else { return }
        modbus_flush(context)
    }

    func readRegisters(_ function: ModbusFunction, unit: UInt8, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        try checkCount(count, limit: 125, function, unit: unit, address: address)
        var values = [UInt16](repeating: 0, count: count)
        let received = try values.withUnsafeMutableBufferPointer { (buffer) throws(ModbusError) -> Int32 in
            try transaction(function, unit: unit, address: address, count: count) { context in
                function == .readHoldingRegisters
                    ? modbus_read_registers(context, Int32(address), Int32(count), buffer.baseAddress)
                    : modbus_read_input_registers(context, Int32(address), Int32(count), buffer.baseAddress)
            }
        }
        try checkReceived(received, expected: count, function, unit: unit, address: address)
        return values
    }

    func readBits(_ function: ModbusFunction, unit: UInt8, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        try checkCount(count, limit: 2000, function, unit: unit, address: address)
        var bits = [UInt8](repeating: 0, count: count)
        let received = try bits.withUnsafeMutableBufferPointer { (buffer) throws(ModbusError) -> Int32 in
            try transaction(function, unit: unit, address: address, count: count) { context in
                function == .readCoils
                    ? modbus_read_bits(context, Int32(address), Int32(count), buffer.baseAddress)
                    : modbus_read_input_bits(context, Int32(address), Int32(count), buffer.baseAddress)
            }
        }
        try checkReceived(received, expected: count, function, unit: unit, address: address)
        return bits.map { $0 != 0 }
    }

    func writeRegisters(unit: UInt8, address: Int, values: [UInt16]) throws(ModbusError) {
        if values.count == 1 {
            _ = try transaction(.writeSingleRegister, unit: unit, address: address, count: 1) { context in
                modbus_write_register(context, Int32(address), values[0])
            }
            return
        }
        try checkCount(values.count, limit: 123, .writeMultipleRegisters, unit: unit, address: address)
        _ = try values.withUnsafeBufferPointer { (buffer) throws(ModbusError) -> Int32 in
            try transaction(.writeMultipleRegisters, unit: unit, address: address, count: values.count) { context in
                modbus_write_registers(context, Int32(address), Int32(buffer.count), buffer.baseAddress)
            }
        }
    }

    func writeCoils(unit: UInt8, address: Int, values: [Bool]) throws(ModbusError) {
        if values.count == 1 {
            _ = try transaction(.writeSingleCoil, unit: unit, address: address, count: 1) { context in
                modbus_write_bit(context, Int32(address), values[0] ? 1 : 0)
            }
            return
        }
        try checkCount(values.count, limit: 1968, .writeMultipleCoils, unit: unit, address: address)
        let bytes = values.map { UInt8($0 ? 1 : 0) }
        _ = try bytes.withUnsafeBufferPointer { (buffer) throws(ModbusError) -> Int32 in
            try transaction(.writeMultipleCoils, unit: unit, address: address, count: values.count) { context in
                modbus_write_bits(context, Int32(address), Int32(buffer.count), buffer.baseAddress)
            }
        }
    }

    func reportServerID(unit: UInt8) throws(ModbusError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 256)
        let length = try bytes.withUnsafeMutableBufferPointer { (buffer) throws(ModbusError) -> Int32 in
            try transaction(.reportServerID, unit: unit, address: nil, count: nil) { context in
                modbus_report_slave_id(context, Int32(buffer.count), buffer.baseAddress)
            }
        }
        return Array(bytes.prefix(Int(min(length, 256))))
    }

    // MARK: - The one place that calls libmodbus and reads errno

    /// Sets the unit, keeps the serial line's inter-frame delay, and runs one request.
    ///
    /// After a failed request the input is flushed again just before the next one is sent: a slow
    /// slave's answer that came in after the timeout would otherwise be read as the next answer —
    /// on TCP a transaction-id mismatch, on RTU (no transaction id) silently wrong data. On a serial
    /// line the input is flushed before every request: a slow slave's late answer may arrive after
    /// later requests, to other units, succeeded, and would then be taken for the answer to the
    /// next request of the same kind, shifting every answer after it by one.
    private func transaction(
        _ function: ModbusFunction, unit: UInt8, address: Int?, count: Int?, _ body: (OpaquePointer) -> Int32
    ) throws(ModbusError) -> Int32 {
        guard isOpen else {
            throw ModbusError(
                cause: .connectionClosed, function: function, unit: unit, address: address, count: count,
                message: "not connected to \(configuration.transport)")
        }
        if pauseBetweenRequests > .zero, let end = lastTransactionEnd {
            let remaining = pauseBetweenRequests - (ContinuousClock.now - end)
            if remaining > .zero { usleep(UInt32(clamping: remaining.microseconds)) }
        }
        // Nothing that arrived before the request is sent can be its answer. On TCP the flag is
        // enough; on a serial line a late answer may come at any time, and tcflush costs no wait.
        if lateAnswerPossible || isSerial {
            modbus_flush(context)
            lateAnswerPossible = false
        }
        defer { lastTransactionEnd = ContinuousClock.now }
        _ = try call(function, unit: unit, address: address, count: count) { modbus_set_slave($0, Int32(unit)) }
        do {
            return try call(function, unit: unit, address: address, count: count, body)
        } catch {
            // A Modbus exception is a complete answer; anything else may leave one still to come.
            if case .exception = error.cause {} else { lateAnswerPossible = true }
            throw error
        }
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

    private func checkCount(_ count: Int, limit: Int, _ function: ModbusFunction, unit: UInt8, address: Int)
        throws(ModbusError)
    {
        guard (1...limit).contains(count), (0...0xFFFF).contains(address), address + count <= 0x10000 else {
            throw ModbusError(
                cause: .invalidRequest, function: function, unit: unit, address: address, count: count,
                message: "a request reads 1–\(limit) values within addresses 0–65535")
        }
    }

    private func checkReceived(_ received: Int32, expected: Int, _ function: ModbusFunction, unit: UInt8, address: Int)
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
        case EINVAL, ENOENT, EACCES, ENOTTY: return .invalidRequest
        default: return .system
        }
    }
}
