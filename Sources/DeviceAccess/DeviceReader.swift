public import Modbus
public import StockpileDomain
public import Foundation

/// Reads every point of one device once, through its profile: plan, read, decode, qualify.
///
/// All of a device's transactions run in one hop on the client's own thread. A transaction that
/// fails leaves its points without a value: `offline` when the device did not answer, `bad` when it
/// answered with an exception or garbage. An exception is never turned into a value.
public struct DeviceReader: Sendable {
    public let profile: DeviceProfile
    public let unit: UInt8
    public let plan: [PlannedRead]
    /// Decodes the points read, and only those: a group's reader does not decode the rest of the
    /// profile to throw it away (a group carries the points its qualifiers need).
    private let decoder: ProfileDecoder

    /// A reader of `points` of the device (default: all of them); a pass yields readings of those
    /// points and their flags only.
    public init(profile: DeviceProfile, unit: UInt8, points: [ProfilePoint]? = nil) {
        self.profile = profile
        self.unit = unit
        self.plan = RequestPlanner(transport: profile.transport).plan(points ?? profile.points)
        var read = profile
        if let points { read.points = points }
        self.decoder = ProfileDecoder(profile: read)
    }

    /// Performs the plan once, with the client's own timeout and no retries: the probe's way.
    public func read(using client: ModbusClient) async -> DeviceReadResult {
        await read(using: client, options: ReadOptions())
    }

    /// Performs the plan once, as `options` say: the poller's way.
    public func read(using client: ModbusClient, options: ReadOptions) async -> DeviceReadResult {
        let pass = await client.withSession { client in self.transact(on: client, options: options) }
        return decode(pass)
    }

    /// What one pass got off the wire, before decoding.
    public struct Pass: Sendable {
        public var registers: RegisterSnapshot
        public var failures: [ReadFailure]
        public var retries: Int
        /// When the first request was sent.
        public var started: Date
        public var elapsed: Duration
        /// The pass stopped because the client was interrupted: reads not sent are not failures
        /// of the device, and the pass says nothing about its health.
        public var interrupted: Bool
        /// Until when the unit is kept quiet after a timeout (its late answer may still come);
        /// its next poll should not be due before.
        public var quietUntil: ContinuousClock.Instant?
        /// Answers to other requests read past during the pass.
        public var discardedAnswers: Int
        /// Requests attempted, retries included (one refused at once on a closed connection counts,
        /// an interrupted one does not); reads skipped after a silent one are not attempted.
        public var requests: Int
        /// The error of every request sent that failed, retried ones included, in order (for the
        /// errors-by-kind counts; `failures` keeps only each read's last).
        public var requestErrors: [ModbusError]

        public init(
            registers: RegisterSnapshot, failures: [ReadFailure] = [], retries: Int = 0, started: Date = Date(),
            elapsed: Duration = .zero, interrupted: Bool = false, quietUntil: ContinuousClock.Instant? = nil,
            discardedAnswers: Int = 0, requests: Int = 0, requestErrors: [ModbusError] = []
        ) {
            self.registers = registers
            self.failures = failures
            self.retries = retries
            self.started = started
            self.elapsed = elapsed
            self.interrupted = interrupted
            self.quietUntil = quietUntil
            self.discardedAnswers = discardedAnswers
            self.requests = requests
            self.requestErrors = requestErrors
        }
    }

    /// Performs the plan on the client's own thread. A caller polling several devices in a row
    /// runs each one's `transact` inside one `withSession`, so the whole batch costs one hop.
    public func transact(on client: isolated ModbusClient, options: ReadOptions) -> Pass {
        let started = Date()
        let clock = ContinuousClock.now
        let pause = profile.transport.delayBetweenRequests
        if let timeout = options.timeout { client.setResponseTimeout(timeout) }
        client.setLateAnswerGuard(options.lateAnswerGuard)
        let discardedBefore = client.discardedAnswers
        var snapshot = RegisterSnapshot()
        var failures: [ReadFailure] = []
        var retries = 0
        var requests = 0
        var requestErrors: [ModbusError] = []
        var silence: ModbusError?
        var interrupted = false
        for (index, read) in plan.enumerated() {
            if client.isInterrupted {
                interrupted = true
                break
            }
            if let silence {
                // Not sent: the device just failed to answer, and its timeouts would only take bus
                // time from its neighbours.
                failures.append(ReadFailure(read: read, error: silence))
                continue
            }
            if index > 0, pause > .zero {
                // A pause the device asks for; it blocks only this connection's own thread.
                Thread.sleep(forTimeInterval: pause.seconds)
            }
            var attempt = 0
            while true {
                do throws(ModbusError) {
                    try Self.perform(read, unit: unit, on: client, into: &snapshot)
                    requests += 1
                    break
                } catch {
                    if error.cause == .interrupted {
                        // Not a request of the device's: the client refused it, or cut it short.
                        interrupted = true
                        break
                    }
                    requests += 1
                    requestErrors.append(error)
                    if attempt < options.retries, Self.worthRetrying(error), !client.isInterrupted {
                        attempt += 1
                        retries += 1
                        // The same request in the same poll: the first attempt's late answer is as
                        // good as the retry's, so the unit's guard does not hold the retry back.
                        client.waiveQuiet(unit: unit)
                        continue
                    }
                    let failure = ReadFailure(read: read, error: error)
                    failures.append(failure)
                    if options.abandonWhenSilent, failure.deviceDidNotAnswer { silence = error }
                    break
                }
            }
        }
        return Pass(
            registers: snapshot, failures: failures, retries: retries, started: started,
            elapsed: ContinuousClock.now - clock, interrupted: interrupted, quietUntil: client.quietEnd(unit: unit),
            discardedAnswers: client.discardedAnswers - discardedBefore, requests: requests,
            requestErrors: requestErrors)
    }

    /// Decodes a pass into readings: values and qualities, no value where a read failed.
    public func decode(_ pass: Pass) -> DeviceReadResult {
        var readings = decoder.decode(pass.registers)
        if !pass.failures.isEmpty {
            let qualityByPoint = Self.failedQualities(pass.failures, profile: profile)
            for index in readings.indices {
                if let quality = qualityByPoint[readings[index].name] {
                    readings[index].value = nil
                    readings[index].quality = quality
                }
            }
        }
        return DeviceReadResult(
            readings: readings, transactions: plan.count, failures: pass.failures, retries: pass.retries,
            elapsed: pass.elapsed, registers: pass.registers)
    }

    private static func perform(
        _ read: PlannedRead, unit: UInt8, on client: isolated ModbusClient, into snapshot: inout RegisterSnapshot
    ) throws(ModbusError) {
        switch read.table {
        case .holding:
            snapshot.store(
                try client.readHoldingRegisters(unit: unit, address: read.address, count: read.count),
                table: .holding, at: read.address)
        case .input:
            snapshot.store(
                try client.readInputRegisters(unit: unit, address: read.address, count: read.count),
                table: .input, at: read.address)
        case .coil:
            snapshot.store(
                try client.readCoils(unit: unit, address: read.address, count: read.count),
                table: .coil, at: read.address)
        case .discrete:
            snapshot.store(
                try client.readDiscreteInputs(unit: unit, address: read.address, count: read.count),
                table: .discrete, at: read.address)
        }
    }

    /// A timeout, a garbled or mismatched answer, a broken connection, or "busy" may go better the
    /// next time; any other exception is the device's considered answer and is not asked again.
    private static func worthRetrying(_ error: ModbusError) -> Bool {
        if case .exception(let exception) = error.cause {
            return exception == .serverDeviceBusy || exception == .gatewayTargetFailedToRespond
        }
        return error.cause != .invalidRequest && error.cause != .interrupted
    }

    /// Points (and their flags) of failed reads, with the quality the failure means.
    private static func failedQualities(_ failures: [ReadFailure], profile: DeviceProfile) -> [String: ReadingQuality] {
        var result: [String: ReadingQuality] = [:]
        for failure in failures {
            let quality: ReadingQuality = failure.deviceDidNotAnswer ? .offline : .bad
            for name in failure.read.points {
                result[name] = quality
                for flag in profile.point(named: name)?.flags ?? [] { result[flag.name] = quality }
            }
        }
        return result
    }
}

/// How the poller reads a device, beyond the plan.
public struct ReadOptions: Hashable, Sendable {
    /// The response timeout for this device's requests; nil keeps the client's.
    public var timeout: Duration?
    /// Further attempts at a transaction that timed out, was garbled or found the device busy.
    public var retries: Int
    /// Stop at the first transaction the device does not answer: the rest are not sent and fail
    /// with the same error. A silent device then costs its bus one timeout per attempt, not one per
    /// transaction.
    public var abandonWhenSilent: Bool
    /// How long the unit is kept quiet on a serial line after a timeout; nil: the client's default
    /// rule for the timeout in force.
    public var lateAnswerGuard: Duration?

    public init(
        timeout: Duration? = nil, retries: Int = 0, abandonWhenSilent: Bool = false, lateAnswerGuard: Duration? = nil
    ) {
        self.timeout = timeout
        self.retries = max(retries, 0)
        self.abandonWhenSilent = abandonWhenSilent
        self.lateAnswerGuard = lateAnswerGuard
    }
}

/// What one pass over a device produced.
public struct DeviceReadResult: Sendable {
    public var readings: [PointReading]
    public var transactions: Int
    public var failures: [ReadFailure]
    /// Attempts beyond the first, over all transactions.
    public var retries: Int
    public var elapsed: Duration
    /// Everything that was read, for raw displays.
    public var registers: RegisterSnapshot

    public init(
        readings: [PointReading], transactions: Int, failures: [ReadFailure], retries: Int = 0, elapsed: Duration,
        registers: RegisterSnapshot
    ) {
        self.readings = readings
        self.transactions = transactions
        self.failures = failures
        self.retries = retries
        self.elapsed = elapsed
        self.registers = registers
    }

    /// True when no transaction got an answer at all.
    public var deviceDidNotAnswer: Bool {
        !failures.isEmpty && failures.count == transactions && failures.allSatisfy(\.deviceDidNotAnswer)
    }

    /// The pass, counted for health judgement.
    public var outcome: PollOutcome {
        PollOutcome(transactions: transactions, failures: failures, retries: retries)
    }
}

extension PollOutcome {
    /// The outcome of a pass of `transactions` reads with these failures and retries.
    public init(transactions: Int, failures: [ReadFailure], retries: Int) {
        let unanswered = failures.filter(\.deviceDidNotAnswer).count
        self.init(
            transactions: transactions, refused: failures.count - unanswered, unanswered: unanswered,
            retries: retries, firstFailure: failures.first.map(\.description))
    }
}

/// A planned read that failed, and the points it would have served.
public struct ReadFailure: Error, Sendable, CustomStringConvertible {
    public var read: PlannedRead
    /// What went wrong; for a read not sent because the device had just failed to answer another,
    /// that read's error.
    public var error: ModbusError

    public init(read: PlannedRead, error: ModbusError) {
        self.read = read
        self.error = error
    }

    /// The device (or the path to it) gave no answer, as opposed to a refusal or a garbled one.
    /// A gateway's exception 11 says just that about the device behind it.
    public var deviceDidNotAnswer: Bool {
        if case .exception(let exception) = error.cause { return exception == .gatewayTargetFailedToRespond }
        return error.cause == .timeout || error.breaksConnection
    }

    /// "illegal data address (exception 2) reading holding 99–101 (40100–40102; unit 1; point net)"
    public var description: String {
        var text = "\(error.causeDescription) \(error.function) \(read.range.first)–\(read.range.last)"
        if read.count == 1 { text = "\(error.causeDescription) \(error.function) \(read.address)" }
        var notes = [ManualNotation.text(for: read.range)]
        notes.append("unit \(error.unit.map(String.init) ?? "?")")
        if !read.points.isEmpty {
            notes.append((read.points.count == 1 ? "point " : "points ") + read.points.joined(separator: ", "))
        }
        text += " (\(notes.joined(separator: "; ")))"
        // Where the cause alone does not say enough: the path and errno of a line, the system's words.
        if [.system, .invalidResponse, .cannotOpen, .lineInUse].contains(error.cause) { text += ": \(error.message)" }
        return text
    }
}
