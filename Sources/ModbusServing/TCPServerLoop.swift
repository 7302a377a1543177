internal import CModbus
import Glibc
import Logging
import Modbus

/// Serves Modbus TCP to many clients from one thread: libmodbus's multi-client pattern, with
/// answers that may wait.
///
/// One poll(2) over the listening socket, every client socket and the wake-up pipe. A readable
/// client gets `modbus_receive`; its answer is built without being sent (`ServerContext.answer`),
/// faulted as the behavior decided, and queued with its due time in an `AnswerQueue` whose lanes
/// are the connections. Every turn first writes the answers that are due (non-blocking), then
/// polls until the next one is: a delayed answer holds up neither the other clients nor the
/// reading of its own connection, whose later answers follow it in order, as from a real device.
/// libmodbus does no unit filtering on TCP, so the loop reads the unit id from the MBAP header and
/// picks the bank itself. Not `Sendable`: it lives and dies on its thread.
final class TCPServerLoop {
    /// One accepted connection.
    private struct Client {
        let descriptor: Int32
        /// Its number on this listener, from 1: its lane in the answer queue and its trace id.
        let number: Int
        /// The last write found the socket's buffer full; the next waits for POLLOUT.
        var blocked = false
        /// A `.dropConnection` is queued: no more requests are read.
        var closing = false
    }

    /// A connection with this many answers waiting is not read until some have gone, so a client
    /// that keeps sending without reading cannot grow the queue without bound.
    static let maximumPendingAnswers = 32

    /// The port the listening socket is bound to (the ephemeral one when 0 was asked for).
    let port: Int
    private let endpoint: ModbusTraceEvent.Endpoint
    private let context: ServerContext
    private let thread: ServerLoopThread
    private let router: RequestRouter
    private let logger: Logger
    private var listener: Int32
    private var clients: [Client] = []
    private var accepted = 0
    private var answers = AnswerQueue()

    init(
        host: String, port: Int, thread: ServerLoopThread, router: RequestRouter, logger: Logger
    )
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
        self.endpoint = .tcp(host: host, port: bound)
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

    /// Serves until a stop is requested, then closes every socket before returning. Answers still
    /// waiting then are never sent.
    func run() {
        logger.debug("serving")
        var request = [UInt8](repeating: 0, count: Int(CMODBUS_MAX_ADU_LENGTH))
        while !thread.isStopping {
            sendReadyAnswers()
            let polledClients = clients
            var polled = [thread.wakeDescriptor, listener].map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            polled += polledClients.map { pollfd(fd: $0.descriptor, events: events(for: $0), revents: 0) }
            let timeout = answers.pollTimeout(at: .now) { isBlocked($0) }
            guard poll(&polled, nfds_t(polled.count), timeout) >= 0 else {
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
            for (client, state) in zip(polledClients, polled.dropFirst(2)) where state.revents != 0 {
                if state.revents & Int16(POLLOUT) != 0, let index = index(of: client.number) {
                    clients[index].blocked = false
                }
                if state.revents & Int16(POLLIN) != 0 {
                    serve(client.number, buffer: &request)
                } else if state.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                    drop(client.number, because: "connection lost")
                }
            }
        }
        closeAll()
        logger.debug("stopped")
    }

    private func events(for client: Client) -> Int16 {
        var events: Int16 = 0
        if !client.closing, answers.count(inLane: client.number) < Self.maximumPendingAnswers {
            events |= Int16(POLLIN)
        }
        if client.blocked { events |= Int16(POLLOUT) }
        return events
    }

    private func index(of client: Int) -> Int? {
        clients.firstIndex { $0.number == client }
    }

    private func isBlocked(_ client: Int) -> Bool {
        index(of: client).map { clients[$0].blocked } ?? false
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
            accepted += 1
            clients.append(Client(descriptor: client, number: accepted))
            logger.debug("client connected", metadata: ["client": "\(accepted)", "clients": "\(clients.count)"])
        } catch {
            logger.warning("accept failed", metadata: ["error": "\(error.text)"])
            // Out of descriptors, the connection stays queued and poll reports it again at once;
            // a short pause keeps the loop from spinning until one is freed.
            usleep(10_000)
        }
    }

    /// Reads one request from `client`, builds and faults its answer, and queues it.
    private func serve(_ client: Int, buffer: inout [UInt8]) {
        guard let index = index(of: client) else { return }
        context.use(clients[index].descriptor)
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
        if request.function == nil {
            // libmodbus frames an unknown function by its first byte only; drop the rest of it.
            context.flush()
        }
        let plan = router.route(request, transport: .tcp)
        if plan.isPlainAnswer, answers.count(inLane: client) == 0, !clients[index].blocked {
            // The common case goes straight out; the queue keeps a connection's answers in order
            // only when one of them is late or faulted, and a blocked client waits in the queue.
            do {
                try context.answerDirectly(for: plan.action, adu: buffer, length: length, to: clients[index].descriptor)
            } catch {
                drop(client, because: error.text)
            }
            router.served(request, decision: plan.decision) {
                ModbusTraceEvent(
                    endpoint: endpoint, client: client, unit: unit, request: Array(buffer[0..<length]), answer: nil,
                    decision: plan.decision, time: .now)
            }
            return
        }
        var answer: [UInt8] = []
        do {
            answer = try context.answer(for: plan.action, adu: buffer, length: length)
        } catch {
            logger.warning(
                "answer not built",
                metadata: ["unit": "\(unit)", "function": "\(request.functionCode)", "error": "\(error.text)"])
        }
        if let fault = plan.fault { answer = fault.apply(to: answer, framing: .tcp) }
        answers.append(
            PendingAnswer(
                lane: client, due: .now + plan.delay, bytes: answer, closesConnection: plan.fault == .dropConnection,
                request: request, requestBytes: Array(buffer[0..<length]), decision: plan.decision))
        if plan.fault == .dropConnection { clients[index].closing = true }
    }

    /// Writes every answer that is due, in order, until none is or the sockets are full.
    private func sendReadyAnswers() {
        while let next = answers.nextReady(at: .now, skipping: { isBlocked($0) }) {
            let answer = answers[next]
            guard let index = index(of: answer.lane) else {
                // Cannot happen: dropping a client takes its answers out of the queue.
                finish(answers.remove(at: next), sent: nil)
                continue
            }
            if answer.closesConnection {
                finish(answers.remove(at: next), sent: nil)
                drop(answer.lane, because: "the behavior dropped the connection")
                continue
            }
            guard !answer.unwritten.isEmpty else {
                finish(answers.remove(at: next), sent: nil)
                continue
            }
            let sent = answer.unwritten.withUnsafeBytes {
                send(clients[index].descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            let code = cmodbus_errno()
            if sent == answer.unwritten.count {
                finish(answers.remove(at: next), sent: answer.bytes)
            } else if sent >= 0 {
                answers[next].written += sent
                clients[index].blocked = true
            } else if code == EAGAIN || code == EWOULDBLOCK {
                clients[index].blocked = true
            } else if code != EINTR {
                drop(answer.lane, because: ModbusErrorCode.text(for: code))
            }
        }
    }

    /// Reports a carried-out answer to the trace hook and the behavior.
    private func finish(_ answer: PendingAnswer, sent: [UInt8]?) {
        router.served(answer.request, decision: answer.decision) {
            ModbusTraceEvent(
                endpoint: endpoint, client: answer.lane, unit: answer.request.unit, request: answer.requestBytes,
                answer: sent, decision: answer.decision, time: .now)
        }
    }

    /// Closes a client's connection; its answers still waiting are reported as never sent (or as
    /// far as they were).
    private func drop(_ client: Int, because reason: String) {
        guard let index = index(of: client) else { return }
        close(clients[index].descriptor)
        clients.remove(at: index)
        for answer in answers.removeAll(inLane: client) {
            finish(answer, sent: answer.written > 0 ? Array(answer.bytes.prefix(answer.written)) : nil)
        }
        logger.debug("client dropped", metadata: ["reason": "\(reason)", "clients": "\(clients.count)"])
    }

    private func closeAll() {
        for client in clients { close(client.descriptor) }
        clients = []
        answers = AnswerQueue()
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
