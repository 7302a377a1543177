/// What a bus's schedule asks of it, predicted from the plans before the first request: how long
/// one round of every group takes, against the shortest interval it must fit in.
///
/// On a serial line the prediction is the wire time of each request and answer at the line's speed
/// (11 bits a character with parity or two stop bits, 10 otherwise), the 3.5-character silences,
/// the configured pauses, and a turnaround allowance for the slave; on TCP it is the pauses plus
/// the allowance. It is a floor: the agent measures the real cycle and reports when it overruns.
public struct BusTiming: Hashable, Sendable {
    /// Seconds on the wire per character; nil on TCP.
    public var secondsPerCharacter: Double?
    /// The silence before each frame: 3.5 characters, fixed at 1.75 ms above 19,200 baud (Modbus
    /// over serial line V1.02, §2.5.1.1); nil on TCP.
    public var frameSilence: Duration?
    /// Silence kept between two transactions (inter-frame delay or pause between requests).
    public var pauseBetweenRequests: Duration
    /// Time a device takes to start answering, assumed for the prediction.
    public var turnaround: Duration

    public init(
        secondsPerCharacter: Double?, pauseBetweenRequests: Duration, turnaround: Duration,
        frameSilence: Duration? = nil
    ) {
        self.secondsPerCharacter = secondsPerCharacter
        self.frameSilence = frameSilence ?? secondsPerCharacter.map { .nanoseconds(Int64($0 * 3.5 * 1e9)) }
        self.pauseBetweenRequests = pauseBetweenRequests
        self.turnaround = turnaround
    }

    /// The timing of one bus of a site.
    public init(bus: SiteConfiguration.Bus) {
        switch bus {
        case .tcp(let endpoint):
            self.init(
                secondsPerCharacter: nil, pauseBetweenRequests: endpoint.pauseBetweenRequests,
                turnaround: .milliseconds(1))
        case .rtu(let line):
            let bits = 1 + line.dataBits + (line.parity == .none ? 0 : 1) + line.stopBits
            let perCharacter = Double(bits) / Double(max(line.baud, 1))
            self.init(
                secondsPerCharacter: perCharacter, pauseBetweenRequests: line.interFrameDelay,
                turnaround: .milliseconds(5),
                frameSilence: line.baud > 19_200 ? .microseconds(1_750) : .nanoseconds(Int64(perCharacter * 3.5 * 1e9)))
        }
    }

    /// One transaction: request and answer on the wire (RTU), silences, turnaround.
    public func transactionTime(_ read: PlannedRead) -> Duration {
        var time = turnaround + pauseBetweenRequests
        if let perCharacter = secondsPerCharacter {
            // Request: unit, function, address, count, CRC = 8 bytes. Answer: unit, function,
            // byte count, data, CRC. Plus a silence before each.
            let dataBytes = read.table.holdsBits ? (read.count + 7) / 8 : read.count * 2
            let characters = 8.0 + 5.0 + Double(dataBytes)
            time += .nanoseconds(Int64(characters * perCharacter * 1e9)) + (frameSilence ?? .zero) * 2
        }
        return time
    }

    /// One pass over a plan.
    public func pollTime(_ plan: [PlannedRead]) -> Duration {
        plan.reduce(.zero) { $0 + transactionTime($1) }
    }

    /// The bus time one round needs, against the shortest periodic interval among `demands`
    /// (each a plan and its interval), and the share of the bus the schedule asks for.
    public func prediction(_ demands: [(plan: [PlannedRead], interval: Duration)]) -> Prediction {
        let round = demands.reduce(Duration.zero) { $0 + pollTime($1.plan) }
        let shortest = demands.map(\.interval).min() ?? .zero
        let load = demands.reduce(0.0) { $0 + pollTime($1.plan).seconds / max($1.interval.seconds, 1e-9) }
        return Prediction(round: round, shortestInterval: shortest, load: load)
    }

    /// A schedule's predicted demand on its bus.
    public struct Prediction: Hashable, Sendable {
        /// Bus time to poll every periodic group once.
        public var round: Duration
        /// The shortest periodic interval on the bus.
        public var shortestInterval: Duration
        /// The share of the bus the schedule needs (1 is all of it); above 1 it cannot be kept.
        public var load: Double

        public var fits: Bool { load <= 1 }
    }
}
