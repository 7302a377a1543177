public import Modbus
public import StockpileDomain
import Foundation

/// Reads every point of one device once, through its profile: plan, read, decode, qualify.
///
/// All of a device's transactions run in one hop on the client's own thread. A transaction that
/// fails leaves its points without a value: `offline` when the device did not answer, `bad` when it
/// answered with an exception or garbage. An exception is never turned into a value.
public struct DeviceReader: Sendable {
    public let profile: DeviceProfile
    public let unit: UInt8
    public let plan: [PlannedRead]

    public init(profile: DeviceProfile, unit: UInt8, points: [ProfilePoint]? = nil) {
        self.profile = profile
        self.unit = unit
        self.plan = RequestPlanner(transport: profile.transport).plan(points ?? profile.points)
    }

    /// Performs the plan once.
    public func read(using client: ModbusClient) async -> DeviceReadResult {
        let started = ContinuousClock.now
        let plan = self.plan
        let unit = self.unit
        let pause = profile.transport.delayBetweenRequests
        let (snapshot, failures) = await client.withSession { client in
            var snapshot = RegisterSnapshot()
            var failures: [ReadFailure] = []
            for (index, read) in plan.enumerated() {
                if index > 0, pause > .zero {
                    // A pause the device asks for; it blocks only this connection's own thread.
                    Thread.sleep(forTimeInterval: pause.seconds)
                }
                do throws(ModbusError) {
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
                } catch {
                    failures.append(ReadFailure(read: read, error: error))
                }
            }
            return (snapshot, failures)
        }
        var readings = ProfileDecoder(profile: profile).decode(snapshot)
        if !failures.isEmpty {
            let qualityByPoint = Self.failedQualities(failures, profile: profile)
            for index in readings.indices {
                if let quality = qualityByPoint[readings[index].name] {
                    readings[index].value = nil
                    readings[index].quality = quality
                }
            }
        }
        return DeviceReadResult(
            readings: readings, transactions: plan.count, failures: failures, elapsed: ContinuousClock.now - started,
            registers: snapshot)
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

/// What one pass over a device produced.
public struct DeviceReadResult: Sendable {
    public var readings: [PointReading]
    public var transactions: Int
    public var failures: [ReadFailure]
    public var elapsed: Duration
    /// Everything that was read, for raw displays.
    public var registers: RegisterSnapshot

    /// True when no transaction got an answer at all.
    public var deviceDidNotAnswer: Bool {
        !failures.isEmpty && failures.count == transactions && failures.allSatisfy(\.deviceDidNotAnswer)
    }
}

/// A planned read that failed, and the points it would have served.
public struct ReadFailure: Error, Sendable, CustomStringConvertible {
    public var read: PlannedRead
    public var error: ModbusError

    public init(read: PlannedRead, error: ModbusError) {
        self.read = read
        self.error = error
    }

    /// The device (or the path to it) gave no answer, as opposed to a refusal or a garbled one.
    public var deviceDidNotAnswer: Bool {
        error.cause == .timeout || error.breaksConnection
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
        if error.cause == .system || error.cause == .invalidResponse { text += ": \(error.message)" }
        return text
    }
}
