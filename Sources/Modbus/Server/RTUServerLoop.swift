internal import CModbus
import Glibc
import Logging

/// Serves Modbus RTU on the master side of a pseudo-terminal, for every unit on the line.
///
/// libmodbus's RTU receive keeps only frames for its context's one slave id, so the loop reads the
/// line itself: it frames requests with `RTUFraming`, drops frames whose CRC fails (a real slave
/// stays silent then), and has a good one's answer built with `modbus_set_slave` and
/// `modbus_reply` (`ServerContext.answer`, which does not send). The answer, faulted as the
/// behavior decided, waits in an `AnswerQueue` whose lanes are the unit ids until it is due; every
/// turn writes the due answers, then polls until the next one is or a byte arrives. So while one
/// unit's answer is delayed the line is still read and the other units answer at once, and the
/// late answer goes out at its time, whoever listens then, as from a slow slave. Not `Sendable`:
/// it lives and dies on its thread.
///
/// With `pacing`, the line runs at wire speed: a request is taken to occupy the line from when it
/// arrived (or the line fell free, if later) for its bytes' wire time, and its answer is released
/// only when a real line would have delivered its last byte, after a 3.5-character silence; the
/// next request waits for the silence after that. So the line carries one frame at a time, at its
/// baud. A slave's own delay (a `slow` fault) does not hold the line: the late answer is released
/// its wire time after the delay, while other units may answer meanwhile.
final class RTUServerLoop {
    /// The silence that ends a frame whose length its function code does not give, and after which
    /// the rest of a discarded frame is no longer discarded: 3.5 characters at 9600 baud, rounded up.
    static let frameGap: Duration = .milliseconds(5)

    private let endpoint: ModbusTraceEvent.Endpoint
    private let context: ServerContext
    private let thread: ServerLoopThread
    private let router: RequestRouter
    private let logger: Logger
    private let terminal: PseudoTerminal
    private let clients: PseudoTerminalClients
    private let pacing: RTUWireTiming?
    /// Paced lines: when the last frame and the silence after it have passed on the wire.
    private var lineFreeAt = ContinuousClock.now
    /// When the first byte of the frame being read arrived.
    private var frameStartedAt = ContinuousClock.now
    private var line: Int32
    /// Bytes read since the last frame ended.
    private var incoming: [UInt8] = []
    /// Set after a bad frame: everything is dropped until the line falls silent.
    private var discarding = false
    private var lastByte = ContinuousClock.now
    private var answers = AnswerQueue()
    /// The last write found the terminal's buffer full; the next waits for POLLOUT.
    private var lineBlocked = false

    /// Takes ownership of `line`, a descriptor of the terminal's master side.
    init(
        line: Int32, terminal: PseudoTerminal, pacing: RTUWireTiming?, thread: ServerLoopThread, router: RequestRouter,
        logger: Logger
    ) throws(ModbusError) {
        let device = terminal.slavePath
        do {
            context = try ServerContext(rtuDevice: device)
        } catch {
            close(line)
            throw error
        }
        // Non-blocking, so that neither a read nor an answer to a client that stopped reading can
        // wedge the loop.
        _ = fcntl(line, F_SETFL, fcntl(line, F_GETFL) | O_NONBLOCK)
        self.line = line
        self.terminal = terminal
        self.pacing = pacing
        self.clients = PseudoTerminalClients(watching: device)
        self.endpoint = .rtu(device: device)
        self.thread = thread
        self.router = router
        var logger = logger
        logger[metadataKey: "bus"] = "\(device)"
        self.logger = logger
    }

    deinit {
        if line >= 0 { close(line) }
    }

    /// Serves until a stop is requested or the terminal is closed, then closes its descriptor.
    /// Answers still waiting then are never sent.
    func run() {
        logger.debug("serving")
        var chunk = [UInt8](repeating: 0, count: 512)
        while !thread.isStopping {
            sendReadyAnswers()
            let lineEvents = Int16(POLLIN) | (lineBlocked ? Int16(POLLOUT) : 0)
            var polled = [
                pollfd(fd: thread.wakeDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: line, events: lineEvents, revents: 0),
                pollfd(fd: clients.descriptor, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&polled, 3, pollTimeout()) >= 0 else {
                let code = cmodbus_errno()
                if code == EINTR { continue }
                logger.error("poll failed; the server stops", metadata: ["errno": "\(code)"])
                break
            }
            if polled[0].revents != 0 {
                thread.drainWakeUps()
                continue
            }
            if polled[2].revents != 0, clients.lastClientClosed() {
                terminal.restoreSettings()
                logger.debug("the last client closed the line; its settings are restored")
            }
            if polled[1].revents & Int16(POLLOUT) != 0 { lineBlocked = false }
            if polled[1].revents & Int16(POLLIN) != 0 {
                let count = read(line, &chunk, chunk.count)
                let code = cmodbus_errno()
                if count > 0 {
                    // A silence since the last byte ended the frame before, even when a busy
                    // machine let the loop notice it only now, with the next frame's bytes.
                    let now = ContinuousClock.now
                    if !incoming.isEmpty || discarding, now - lastByte >= Self.frameGap { endFrameAtSilence() }
                    lastByte = now
                    if incoming.isEmpty { frameStartedAt = now }
                    if !discarding { incoming += chunk[0..<count] }
                    takeCompleteFrames()
                } else if count == 0 || (code != EAGAIN && code != EINTR) {
                    logger.info("line closed; the server stops", metadata: ["errno": "\(code)"])
                    break
                }
            } else if polled[1].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                // Hang-up: every slave-side descriptor is closed, so the terminal is gone.
                logger.info("line hung up; the server stops")
                break
            }
            if !incoming.isEmpty || discarding, ContinuousClock.now - lastByte >= Self.frameGap {
                endFrameAtSilence()
            }
        }
        close(line)
        line = -1
        answers = AnswerQueue()
        logger.debug("stopped")
    }

    /// Milliseconds poll may wait: until the current frame's gap is over or the next answer is
    /// due, whichever comes first; for ever when neither is pending.
    private func pollTimeout() -> Int32 {
        let now = ContinuousClock.now
        let blocked = lineBlocked
        let due = answers.pollTimeout(at: now) { _ in blocked }
        guard !incoming.isEmpty || discarding else { return due }
        let gap = AnswerQueue.milliseconds(until: lastByte + Self.frameGap, from: now)
        return due < 0 ? gap : min(gap, due)
    }

    /// Serves every complete frame at the front of `incoming` whose length its function code gives.
    private func takeCompleteFrames() {
        while !discarding {
            guard case .bytes(let length) = RTUFraming.length(of: incoming[...]) else { return }
            guard length <= RTUFraming.maximumLength else {
                discard(because: "impossible length \(length)")
                return
            }
            guard incoming.count >= length else { return }
            let frame = incoming[0..<length]
            guard RTUFraming.hasValidCRC(frame) else {
                discard(because: "bad CRC")
                return
            }
            serve(Array(frame))
            incoming.removeFirst(length)
        }
    }

    /// The line fell silent: what is pending is one frame (of a function without fixed length), or noise.
    private func endFrameAtSilence() {
        defer {
            incoming.removeAll()
            discarding = false
        }
        guard !discarding, !incoming.isEmpty else { return }
        guard incoming.count <= RTUFraming.maximumLength, RTUFraming.hasValidCRC(incoming[...]) else {
            discard(because: "bad CRC or incomplete frame")
            return
        }
        serve(incoming)
    }

    private func discard(because reason: String) {
        router.countDiscardedFrame()
        logger.debug("frame discarded", metadata: ["reason": "\(reason)", "bytes": "\(incoming.count)"])
        incoming.removeAll()
        discarding = true
    }

    /// Builds and faults the answer to one good frame, and queues it in its unit's lane.
    private func serve(_ frame: [UInt8]) {
        let unit = frame[0]
        let request = ModbusRequest(unit: unit, pdu: Array(frame[1..<frame.count - 2]))
        let plan = router.route(request, transport: .rtu)
        var adu = [UInt8](repeating: 0, count: Int(CMODBUS_MAX_ADU_LENGTH))
        adu.replaceSubrange(0..<frame.count, with: frame)
        var answer: [UInt8] = []
        do {
            if case .silence = plan.action {} else { try context.setUnit(unit) }
            answer = try context.answer(for: plan.action, adu: adu, length: frame.count)
        } catch {
            logger.warning(
                "answer not built",
                metadata: ["unit": "\(unit)", "function": "\(request.functionCode)", "error": "\(error.text)"])
        }
        if let fault = plan.fault { answer = fault.apply(to: answer, framing: .rtu) }
        answers.append(
            PendingAnswer(
                lane: Int(unit), due: due(request: frame.count, answer: answer.count, delay: plan.delay),
                bytes: answer, request: request, requestBytes: frame, decision: plan.decision))
    }

    /// When an answer may go out: at once plus the behavior's delay, or, on a paced line, once a
    /// real line would have carried the request and the answer (see the type's documentation).
    private func due(request: Int, answer: Int, delay: Duration) -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        guard let pacing else { return now + delay }
        let requestEnd = max(frameStartedAt, lineFreeAt) + pacing.transmission(of: request)
        guard answer > 0 else {
            lineFreeAt = requestEnd + pacing.frameSilence
            return max(now, requestEnd)
        }
        let answerEnd = requestEnd + pacing.frameSilence + delay + pacing.transmission(of: answer)
        lineFreeAt = (delay > .zero ? requestEnd : answerEnd) + pacing.frameSilence
        return max(now, answerEnd)
    }

    /// Writes every answer that is due, one after the other, until none is or the terminal is full.
    private func sendReadyAnswers() {
        while !lineBlocked, let next = answers.nextReady(at: .now, skipping: { _ in false }) {
            let answer = answers[next]
            guard !answer.unwritten.isEmpty else {
                finish(answers.remove(at: next), sent: nil)
                continue
            }
            let written = answer.unwritten.withUnsafeBytes { write(line, $0.baseAddress, $0.count) }
            let code = cmodbus_errno()
            if written == answer.unwritten.count {
                finish(answers.remove(at: next), sent: answer.bytes)
            } else if written >= 0 {
                answers[next].written += written
                lineBlocked = true
            } else if code == EAGAIN || code == EWOULDBLOCK {
                lineBlocked = true
            } else if code != EINTR {
                logger.warning(
                    "answer not sent",
                    metadata: ["unit": "\(answer.request.unit)", "error": "\(ModbusConnection.text(for: code))"])
                let lost = answers.remove(at: next)
                finish(lost, sent: lost.written > 0 ? Array(lost.bytes.prefix(lost.written)) : nil)
            }
        }
    }

    /// Reports a carried-out answer to the trace hook and the behavior.
    private func finish(_ answer: PendingAnswer, sent: [UInt8]?) {
        router.served(answer.request, decision: answer.decision) {
            ModbusTraceEvent(
                endpoint: endpoint, client: nil, unit: answer.request.unit, request: answer.requestBytes,
                answer: sent, decision: answer.decision, time: .now)
        }
    }
}
