internal import CModbus
import Glibc
import Modbus

/// The libmodbus context a server loop receives and builds its answers through.
///
/// libmodbus reads TCP requests from whichever client socket is set, and builds the replies from a
/// bank's mapping; but it would also send them at once. So `answer(for:adu:length:)` points the
/// context at one end of a private socket pair, lets `modbus_reply` write there, and reads the
/// bytes back: the loop then decides when, and in what state, they go on the wire. The loop owns
/// the client and line descriptors, the context owns the pair. Created, used and freed on the
/// loop's thread only, so it is deliberately not `Sendable`. Every call that can fail goes through
/// `call(_:)`, which captures errno right after it.
final class ServerContext {
    /// A failed libmodbus or system call: the errno captured right after it.
    struct Failure: Error {
        var code: Int32
        var text: String { ModbusErrorCode.text(for: code) }
        /// True when the peer is gone and its socket must be closed.
        var breaksConnection: Bool { [EPIPE, ECONNRESET, EBADF, ENOTCONN].contains(code) }
    }

    /// How long a request may take to arrive once its first byte did. A client that stalls
    /// mid-frame holds up the loop's other clients at most this long, and is then dropped.
    static let frameTimeout: Duration = .milliseconds(100)

    private let context: OpaquePointer
    /// Bytes in front of the function code: the MBAP header on TCP, the unit id on RTU.
    let headerLength: Int
    /// The socket pair answers are built into: libmodbus writes to `[0]`, the loop reads `[1]`.
    private let capture: (writer: Int32, reader: Int32)

    /// A context for Modbus TCP, to listen on `host`:`port` (IPv4 or IPv6; port 0 is ephemeral).
    convenience init(tcpHost host: String, port: Int) throws(ModbusError) {
        let created = Self.create { modbus_new_tcp_pi(host, String(port)) }
        try self.init(created, headerLength: 7, describing: "\(ModbusTransport.tcp(host: host, port: port))")
    }

    /// A context for Modbus RTU; it never opens `device`, the loop sets its line descriptor.
    convenience init(rtuDevice device: String) throws(ModbusError) {
        let created = Self.create { modbus_new_rtu(device, 9600, CChar(UInt8(ascii: "N")), 8, 1) }
        try self.init(created, headerLength: 1, describing: device)
    }

    private init(
        _ created: (context: OpaquePointer?, errno: Int32), headerLength: Int, describing endpoint: String
    )
        throws(ModbusError)
    {
        guard let context = created.context else {
            throw ModbusError.server("cannot create a server context for \(endpoint)", code: created.errno)
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            let code = cmodbus_errno()
            modbus_free(context)
            throw ModbusError.server("cannot create the answer socket pair for \(endpoint)", code: code)
        }
        // Never blocking: an answer is at most 260 bytes, far below the pair's buffer, and is read
        // back before the next one is built.
        for end in pair { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        capture = (pair[0], pair[1])
        self.context = context
        self.headerLength = headerLength
        let frame = Self.frameTimeout.secondsAndMicroseconds
        modbus_set_indication_timeout(context, frame.seconds, frame.microseconds)
        modbus_set_byte_timeout(context, frame.seconds, frame.microseconds)
        // libmodbus sleeps this long before some exception replies; keep any such stall short.
        modbus_set_response_timeout(context, 0, 10_000)
    }

    deinit {
        // The descriptors belong to the loop; modbus_close would close one of them (and, on RTU,
        // write back terminal settings it never read).
        modbus_set_socket(context, -1)
        modbus_free(context)
        close(capture.writer)
        close(capture.reader)
    }

    /// Binds and listens on the context's host and port (SO_REUSEADDR is set by libmodbus).
    func listen(backlog: Int32) throws(Failure) -> Int32 {
        try call { modbus_tcp_pi_listen($0, backlog) }
    }

    /// Accepts a client on `listener`.
    func accept(from listener: Int32) throws(Failure) -> Int32 {
        var listener = listener
        return try call { modbus_tcp_pi_accept($0, &listener) }
    }

    /// Points the context at a client socket before receiving from it or flushing it.
    func use(_ descriptor: Int32) {
        modbus_set_socket(context, descriptor)
    }

    /// Selects the unit the context speaks for (RTU); libmodbus accepts 0–247.
    func setUnit(_ unit: UInt8) throws(Failure) {
        _ = try call { modbus_set_slave($0, Int32(unit)) }
    }

    /// Reads one request from the current socket into `buffer`, framed by libmodbus; returns its length.
    func receive(into buffer: inout [UInt8]) throws(Failure) -> Int {
        precondition(buffer.count >= Int(CMODBUS_MAX_ADU_LENGTH))
        let length = try buffer.withUnsafeMutableBufferPointer { (bytes) throws(Failure) -> Int32 in
            try call { modbus_receive($0, bytes.baseAddress) }
        }
        return Int(length)
    }

    /// The answer libmodbus builds for the request in `adu[0..<length]` according to `action`,
    /// without sending it; empty for silence and for an RTU broadcast. A write takes effect here.
    /// `adu` must be a full-size buffer, since libmodbus reads a request's fixed fields whatever
    /// its length. Leaves the context pointed at the socket pair.
    func answer(for action: ServerAction, adu: [UInt8], length: Int) throws(Failure) -> [UInt8] {
        precondition(adu.count >= Int(CMODBUS_MAX_ADU_LENGTH) && length <= adu.count)
        modbus_set_socket(context, capture.writer)
        do {
            switch action {
            case .reply(let bank):
                try reply(adu, length, from: bank)
            case .broadcast(let banks):
                // modbus_reply sends nothing for an RTU broadcast; it only applies the write.
                for bank in banks { try reply(adu, length, from: bank) }
            case .exception(let exception):
                _ = try call { modbus_reply_exception($0, adu, UInt32(exception.rawValue)) }
            case .silence:
                break
            }
        } catch {
            // Whatever a failed reply left in the pair must not lead the next answer.
            _ = takeCaptured()
            throw error
        }
        return takeCaptured()
    }

    /// Sends the answer straight to `descriptor`, as libmodbus's own servers do: the common case,
    /// with no delay, no fault and no trace, which needs no copy of the bytes.
    func answerDirectly(for action: ServerAction, adu: [UInt8], length: Int, to descriptor: Int32) throws(Failure) {
        precondition(adu.count >= Int(CMODBUS_MAX_ADU_LENGTH) && length <= adu.count)
        modbus_set_socket(context, descriptor)
        switch action {
        case .reply(let bank):
            try reply(adu, length, from: bank)
        case .broadcast(let banks):
            for bank in banks { try reply(adu, length, from: bank) }
        case .exception(let exception):
            _ = try call { modbus_reply_exception($0, adu, UInt32(exception.rawValue)) }
        case .silence:
            break
        }
    }

    private func reply(_ adu: [UInt8], _ length: Int, from bank: RegisterBank) throws(Failure) {
        _ = try bank.withMapping { (mapping) throws(Failure) in
            try call { modbus_reply($0, adu, Int32(length), mapping) }
        }
    }

    /// Everything libmodbus wrote to the socket pair since the last call.
    private func takeCaptured() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: Int(CMODBUS_MAX_ADU_LENGTH))
        while true {
            let count = recv(capture.reader, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            guard count > 0 else { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Discards what is waiting on the current socket or line.
    func flush() {
        modbus_flush(context)
    }

    /// Creates a context; on NULL captures errno at once.
    private static func create(_ body: () -> OpaquePointer?) -> (context: OpaquePointer?, errno: Int32) {
        let context = body()
        return (context, context == nil ? cmodbus_errno() : 0)
    }

    /// Calls libmodbus; on -1 captures errno at once and throws it.
    private func call(_ body: (OpaquePointer) -> Int32) throws(Failure) -> Int32 {
        let result = body(context)
        guard result == -1 else { return result }
        throw Failure(code: cmodbus_errno())
    }
}
