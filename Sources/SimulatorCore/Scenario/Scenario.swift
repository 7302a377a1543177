public import StockpileDomain

/// A simulated warehouse: transports, devices with their models, and a timeline of events and faults.
///
/// Loaded from a scenario file by `ScenarioLoader`; documented in `Simulators/README.md`.
public struct Scenario: Sendable {
    public var name: String
    public var file: String
    /// Default seed; `--seed` overrides it.
    public var seed: UInt64
    /// Fixed simulated step in seconds: models advance only in whole steps, so values at a given
    /// simulated time do not depend on how often they were read.
    public var step: Double
    public var tcpEndpoints: [TCPEndpoint]
    public var rtuLines: [RTULine]
    public var devices: [SimulatedDevice]
    public var timeline: [TimelineEntry]

    /// `FILE:LINE` for a declaration, or the file alone.
    public func location(_ line: Int?) -> String {
        line.map { "\(file):\($0)" } ?? file
    }

    public init(
        name: String, file: String, seed: UInt64 = 1, step: Double = 0.1, tcpEndpoints: [TCPEndpoint] = [],
        rtuLines: [RTULine] = [], devices: [SimulatedDevice] = [], timeline: [TimelineEntry] = []
    ) {
        self.name = name
        self.file = file
        self.seed = seed
        self.step = step
        self.tcpEndpoints = tcpEndpoints
        self.rtuLines = rtuLines
        self.devices = devices
        self.timeline = timeline
    }

    /// A listening Modbus TCP port serving every device assigned to it.
    public struct TCPEndpoint: Hashable, Sendable {
        public var name: String
        public var host: String
        /// 0 picks a free port; the simulator prints the one it got.
        public var port: Int
        /// What an unknown unit id gets: exception 0x0B, or silence.
        public var unknownUnitSilent: Bool
        /// Where the scenario declares it, for errors at start-up (a port in use).
        public var line: Int?

        public init(
            name: String, host: String = "127.0.0.1", port: Int = 0, unknownUnitSilent: Bool = false, line: Int? = nil
        ) {
            self.name = name
            self.host = host
            self.port = port
            self.unknownUnitSilent = unknownUnitSilent
            self.line = line
        }
    }

    /// A Modbus RTU line on a pseudo-terminal the simulator opens itself.
    public struct RTULine: Hashable, Sendable {
        /// How fast the simulated line carries frames.
        public enum Pace: String, Hashable, Sendable, CaseIterable {
            /// As a real line at `baud`: each answer no earlier than the wire would deliver it.
            case wire
            /// As fast as the pty carries the bytes, for tests that need no wire time.
            case none
        }

        public var name: String
        /// A symlink to the pty's device path, so a site file can name a stable path.
        public var link: String?
        /// The line's speed: what `pace: wire` paces at, and what an agent's site file should say.
        public var baud: Int
        public var parity: String
        public var pace: Pace
        /// Where the scenario declares it, for errors at start-up (a link that cannot be made).
        public var line: Int?

        public init(
            name: String, link: String? = nil, baud: Int = 9600, parity: String = "E", pace: Pace = .wire,
            line: Int? = nil
        ) {
            self.name = name
            self.link = link
            self.baud = baud
            self.parity = parity
            self.pace = pace
            self.line = line
        }
    }
}

/// One simulated device: a profile's register map driven by a model.
public struct SimulatedDevice: Sendable {
    /// Which physics drives the registers.
    public enum ModelKind: String, Hashable, Sendable, CaseIterable {
        case scale, environment, io
    }

    public var name: String
    public var profile: DeviceProfile
    /// The transports (TCP endpoint or RTU line names) serving this device; one model behind all.
    public var transports: [String]
    public var unit: UInt8
    public var model: ModelKind
    /// Model parameters as given (numbers by name); each model reads the ones it knows.
    public var parameters: [String: Double]
    /// Free text describing what it holds (a lot of NdPr oxide), shown by the control channel.
    public var label: String?
    /// A scale's accuracy class (I, II, III or IIII; NIST Handbook 44 / OIML R76), default III.
    public var accuracyClass: String?
    public var line: Int?

    public init(
        name: String, profile: DeviceProfile, transports: [String], unit: UInt8, model: ModelKind,
        parameters: [String: Double] = [:], label: String? = nil, line: Int? = nil
    ) {
        self.name = name
        self.profile = profile
        self.transports = transports
        self.unit = unit
        self.model = model
        self.parameters = parameters
        self.label = label
        self.line = line
    }
}

/// Something that happens at a simulated time: a change to a model, or a fault on the wire.
public struct TimelineEntry: Hashable, Sendable {
    /// Simulated seconds after the start.
    public var at: Double
    public var device: String
    public var action: Action
    public var line: Int?

    public init(at: Double, device: String, action: Action, line: Int? = nil) {
        self.at = at
        self.device = device
        self.action = action
        self.line = line
    }

    /// The change.
    public enum Action: Hashable, Sendable {
        case event(ModelEvent)
        case fault(Fault)
        case clearFaults
    }
}

/// A change to a device's physical state.
public enum ModelEvent: Hashable, Sendable {
    /// Load placed on (positive) or taken off (negative) the platform, in kg.
    case addLoad(Double)
    case setLoad(Double)
    /// A steady loss (positive) or gain (negative) in kg per hour; 0 stops it.
    case gradualLoss(Double)
    case doorOpen(Int)
    case doorClose(Int)
    /// Humidity moves to `target` %RH over `ramp` seconds, holds for `hold`, and returns over `ramp`.
    case humidityExcursion(target: Double, ramp: Double, hold: Double)
    /// The indicator reports an error (its error bits set; the code where the profile has one).
    case deviceError(Int)
    case clearDeviceError
}

/// A way a device misbehaves on the wire, for a while.
public struct Fault: Hashable, Sendable {
    /// What the device does wrong.
    public enum Kind: Hashable, Sendable {
        /// No answer at all, as if powered off.
        case offline
        /// Answers late: `delay` seconds plus up to `jitter` seconds.
        case slow(delay: Double, jitter: Double)
        /// Answers with this exception, with a probability per request.
        case exception(code: UInt8, probability: Double)
        /// Answers with a corrupted CRC (RTU) or checksum-less garbage tail (TCP: a corrupted byte).
        case badCRC
        /// Sends only the first part of the answer.
        case truncated
        /// Closes the TCP connection instead of answering (RTU: silence).
        case dropConnection
        /// Answers as another unit id.
        case wrongUnit
    }

    public var kind: Kind
    /// Simulated seconds the fault lasts; nil until cleared or until `requests` run out.
    public var duration: Double?
    /// Requests the fault applies to before it expires; nil for no limit.
    public var requests: Int?

    public init(kind: Kind, duration: Double? = nil, requests: Int? = nil) {
        self.kind = kind
        self.duration = duration
        self.requests = requests
    }

    /// The name used in scenario files and on the control channel.
    public var name: String {
        switch kind {
        case .offline: "offline"
        case .slow: "slow"
        case .exception: "exception"
        case .badCRC: "bad_crc"
        case .truncated: "truncated"
        case .dropConnection: "drop_connection"
        case .wrongUnit: "wrong_unit"
        }
    }
}
