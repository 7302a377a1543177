internal import CModbus
import Glibc
import Logging

/// Serves Modbus RTU on the master side of a pseudo-terminal, for every unit on the line.
///
/// libmodbus's RTU receive keeps only frames for its context's one slave id, so the loop reads the
/// line itself: it frames requests with `RTUFraming`, drops frames whose CRC fails (a real slave
/// stays silent then), and answers a good one with `modbus_set_slave` and `modbus_reply` through a
/// context whose socket is the line. Not `Sendable`: it lives and dies on its thread.
final class RTUServerLoop {
    /// The silence that ends a frame whose length its function code does not give, and after which
    /// the rest of a discarded frame is no longer discarded: 3.5 characters at 9600 baud, rounded up.
    static let frameGap: Duration = .milliseconds(5)

    private let context: ServerContext
    private let thread: ServerLoopThread
    private let router: RequestRouter
    private let logger: Logger
    private var line: Int32
    /// Bytes read since the last frame ended.
    private var pending: [UInt8] = []
    /// Set after a bad frame: everything is dropped until the line falls silent.
    private var discarding = false
    private var lastByte = ContinuousClock.now

    /// Takes ownership of `line`, a descriptor of the terminal's master side.
    init(line: Int32, device: String, thread: ServerLoopThread, router: RequestRouter, logger: Logger)
        throws(ModbusError)
    {
        do {
            context = try ServerContext(rtuDevice: device)
        } catch {
            close(line)
            throw error
        }
        // Non-blocking, so that neither a read nor a reply to a client that stopped reading can
        // wedge the loop.
        _ = fcntl(line, F_SETFL, fcntl(line, F_GETFL) | O_NONBLOCK)
        context.use(line)
        self.line = line
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
    func run() {
        logger.debug("serving")
        var chunk = [UInt8](repeating: 0, count: 512)
        while !thread.isStopping {
            var polled = [thread.wakeDescriptor, line].map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, 2, pollTimeout()) >= 0 else {
                let code = cmodbus_errno()
                if code == EINTR { continue }
                logger.error("poll failed; the server stops", metadata: ["errno": "\(code)"])
                break
            }
            if polled[0].revents != 0 {
                thread.drainWakeUps()
                continue
            }
            if polled[1].revents & Int16(POLLIN) != 0 {
                let count = read(line, &chunk, chunk.count)
                let code = cmodbus_errno()
                if count > 0 {
                    lastByte = .now
                    if !discarding { pending += chunk[0..<count] }
                    takeCompleteFrames()
                } else if count == 0 || (code != EAGAIN && code != EINTR) {
                    logger.info("line closed; the server stops", metadata: ["errno": "\(code)"])
                    break
                }
            } else if polled[1].revents != 0 {
                // Hang-up: every slave-side descriptor is closed, so the terminal is gone.
                logger.info("line hung up; the server stops")
                break
            }
            if !pending.isEmpty || discarding, ContinuousClock.now - lastByte >= Self.frameGap {
                endFrameAtSilence()
            }
        }
        close(line)
        line = -1
        logger.debug("stopped")
    }

    /// Milliseconds poll may wait: for ever when idle, else until the current frame's gap is over.
    private func pollTimeout() -> Int32 {
        guard !pending.isEmpty || discarding else { return -1 }
        let remaining = Self.frameGap - (ContinuousClock.now - lastByte)
        return Int32(clamping: max(0, (remaining.microseconds + 999) / 1000))
    }

    /// Serves every complete frame at the front of `pending` whose length its function code gives.
    private func takeCompleteFrames() {
        while !discarding {
            guard case .bytes(let length) = RTUFraming.length(of: pending[...]) else { return }
            guard length <= RTUFraming.maximumLength else {
                discard(because: "impossible length \(length)")
                return
            }
            guard pending.count >= length else { return }
            let frame = pending[0..<length]
            guard RTUFraming.hasValidCRC(frame) else {
                discard(because: "bad CRC")
                return
            }
            serve(Array(frame))
            pending.removeFirst(length)
        }
    }

    /// The line fell silent: what is pending is one frame (of a function without fixed length), or noise.
    private func endFrameAtSilence() {
        defer {
            pending.removeAll()
            discarding = false
        }
        guard !discarding, !pending.isEmpty else { return }
        guard pending.count <= RTUFraming.maximumLength, RTUFraming.hasValidCRC(pending[...]) else {
            discard(because: "bad CRC or incomplete frame")
            return
        }
        serve(pending)
    }

    private func discard(because reason: String) {
        router.countDiscardedFrame()
        logger.debug("frame discarded", metadata: ["reason": "\(reason)", "bytes": "\(pending.count)"])
        pending.removeAll()
        discarding = true
    }

    private func serve(_ frame: [UInt8]) {
        let unit = frame[0]
        let request = ModbusRequest(unit: unit, pdu: Array(frame[1..<frame.count - 2]))
        let (action, decision) = router.route(request, transport: .rtu)
        var adu = [UInt8](repeating: 0, count: Int(CMODBUS_MAX_ADU_LENGTH))
        adu.replaceSubrange(0..<frame.count, with: frame)
        do {
            if case .silence = action {} else { try context.setUnit(unit) }
            try context.perform(action, adu: adu, length: frame.count)
        } catch {
            logger.warning(
                "answer not sent",
                metadata: ["unit": "\(unit)", "function": "\(request.functionCode)", "error": "\(error.text)"])
        }
        router.served(request, decision: decision)
    }
}
