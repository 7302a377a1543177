internal import CModbus
import Glibc
import Logging

/// Serves Modbus TCP to many clients from one thread: libmodbus's multi-client pattern.
///
/// One poll(2) over the listening socket, every client socket and the wake-up pipe; a readable
/// client gets `modbus_receive` then an answer through the shared context (`modbus_set_socket`
/// selects the client). libmodbus does no unit filtering on TCP, so the loop reads the unit id from
/// the MBAP header and picks the bank itself. Not `Sendable`: it lives and dies on its thread.
final class TCPServerLoop {
    /// The port the listening socket is bound to (the ephemeral one when 0 was asked for).
    let port: Int
    private let context: ServerContext
    private let thread: ServerLoopThread
    private let router: RequestRouter
    private let logger: Logger
    private var listener: Int32
    private var clients: [Int32] = []

    init(host: String, port: Int, thread: ServerLoopThread, router: RequestRouter, logger: Logger)
        throws(ModbusError)
    {
        let context = try ServerContext(tcpHost: host, port: port)
        let endpoint = ModbusTransport.tcp(host: host, port: port)
        do {
            listener = try context.listen(backlog: 64)
        } catch {
            throw ModbusError.server("cannot listen on \(endpoint)", code: error.code)
        }
        guard let bound = Self.boundPort(of: listener) else {
            let code = cmodbus_errno()
            close(listener)
            throw ModbusError.server("cannot read the port bound for \(endpoint)", code: code)
        }
        self.port = bound
        self.context = context
        self.thread = thread
        self.router = router
        var logger = logger
        logger[metadataKey: "bus"] = "\(ModbusTransport.tcp(host: host, port: bound))"
        self.logger = logger
    }

    deinit {
        closeAll()
    }

    /// Serves until a stop is requested, then closes every socket before returning.
    func run() {
        logger.debug("serving")
        var request = [UInt8](repeating: 0, count: Int(CMODBUS_MAX_ADU_LENGTH))
        while !thread.isStopping {
            var descriptors = [thread.wakeDescriptor, listener] + clients
            var polled = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, nfds_t(polled.count), -1) >= 0 else {
                let code = cmodbus_errno()
                if code == EINTR { continue }
                logger.error("poll failed; the server stops", metadata: ["errno": "\(code)"])
                break
            }
            if polled[0].revents != 0 {
                thread.drainWakeUps()
                continue
            }
            if polled[1].revents != 0 { acceptClient() }
            descriptors.removeFirst(2)
            for (client, state) in zip(descriptors, polled.dropFirst(2)) where state.revents != 0 {
                serve(client, buffer: &request)
            }
        }
        closeAll()
        logger.debug("stopped")
    }

    private func acceptClient() {
        do {
            let client = try context.accept(from: listener)
            // modbus_receive waits with select(2), which cannot watch descriptors past FD_SETSIZE.
            guard client < FD_SETSIZE else {
                logger.warning("too many descriptors open; client refused")
                close(client)
                return
            }
            clients.append(client)
            logger.debug("client connected", metadata: ["clients": "\(clients.count)"])
        } catch {
            logger.warning("accept failed", metadata: ["error": "\(error.text)"])
            // Out of descriptors, the connection stays queued and poll reports it again at once;
            // a short pause keeps the loop from spinning until one is freed.
            usleep(10_000)
        }
    }

    private func serve(_ client: Int32, buffer: inout [UInt8]) {
        context.use(client)
        let length: Int
        do {
            length = try context.receive(into: &buffer)
        } catch {
            // A closed connection, a frame that stalled past the frame timeout, or noise: the
            // stream cannot be resynchronised, so the client goes.
            drop(client, because: error.code == ECONNRESET ? "closed by the client" : error.text)
            return
        }
        guard length > context.headerLength else { return }
        let unit = buffer[context.headerLength - 1]
        let request = ModbusRequest(unit: unit, pdu: Array(buffer[context.headerLength..<length]))
        let (action, decision) = router.route(request, transport: .tcp)
        do {
            try context.perform(action, adu: buffer, length: length)
            if request.function == nil {
                // libmodbus frames an unknown function by its first byte only; drop the rest of it.
                context.flush()
            }
        } catch {
            if error.breaksConnection {
                drop(client, because: error.text)
            } else {
                logger.warning(
                    "answer not sent",
                    metadata: ["unit": "\(unit)", "function": "\(request.functionCode)", "error": "\(error.text)"])
            }
        }
        router.served(request, decision: decision)
    }

    private func drop(_ client: Int32, because reason: String) {
        close(client)
        clients.removeAll { $0 == client }
        logger.debug("client dropped", metadata: ["reason": "\(reason)", "clients": "\(clients.count)"])
    }

    private func closeAll() {
        for client in clients { close(client) }
        clients = []
        if listener >= 0 { close(listener) }
        listener = -1
    }

    /// The local port of a bound socket, IPv4 or IPv6.
    private static func boundPort(of socket: Int32) -> Int? {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &address) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard result == 0 else { return nil }
        return withUnsafePointer(to: &address) { storage -> Int? in
            switch Int32(storage.pointee.ss_family) {
            case AF_INET:
                storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin_port))
                }
            case AF_INET6:
                storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            default:
                nil
            }
        }
    }
}
