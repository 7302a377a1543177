import Modbus
public import ModbusServing
public import SimulatorCore
public import StockpileDomain
import Synchronization

/// The simulated warehouse: every device's model, registers, faults and write log, on one virtual clock.
///
/// Models advance only in whole fixed steps (`Scenario.step`) and the timeline is applied at step
/// boundaries, so the same scenario and seed give the same values at the same simulated time however
/// often clients read. Server threads call `decide`/`served` for each request; the simulator's tick
/// calls `advance(to:)`. One lock guards it all: each call is short, and a device's registers change
/// only as a whole image per step (`RegisterBank.apply`), so no read is ever served half old, half new.
public final class SimulationEngine: Sendable {
    /// One device at run time.
    struct Runtime: Sendable {
        var device: SimulatedDevice
        var model: DeviceModelState
        var noise: SeededGenerator
        var faultChance: SeededGenerator
        let encoder: ProfileEncoder
        let bank: RegisterBank
        var faults: [ActiveFault] = []
        /// Values pinned from the control channel, written instead of the model's.
        var overrides: [String: PointValue?] = [:]
        var writes: [WriteRecord] = []
    }

    struct State: ~Copyable {
        var now: SimulatedTime = .zero
        var devices: [Runtime]
        var byName: [String: Int]
        var byTransportUnit: [String: [UInt8: Int]]
        var timeline: [TimelineEntry]
        var nextEntry = 0
    }

    public let scenario: Scenario
    public let seed: UInt64
    private let state: Mutex<State>

    public init(scenario: Scenario, seed: UInt64? = nil) {
        self.scenario = scenario
        let seed = seed ?? scenario.seed
        self.seed = seed
        var devices: [Runtime] = []
        var byName: [String: Int] = [:]
        var byTransportUnit: [String: [UInt8: Int]] = [:]
        for device in scenario.devices {
            let extent = ProfileEncoder.registerExtent(of: device.profile)
            let bank = RegisterBank(
                coils: max(extent[.coil] ?? 0, 1), discreteInputs: max(extent[.discrete] ?? 0, 1),
                holdingRegisters: max(extent[.holding] ?? 0, 1), inputRegisters: max(extent[.input] ?? 0, 1))
            let runtime = Runtime(
                device: device, model: DeviceModelState(device),
                noise: SeededGenerator(seed: seed, stream: device.name),
                faultChance: SeededGenerator(seed: seed, stream: device.name + "/faults"),
                encoder: ProfileEncoder(profile: device.profile), bank: bank)
            byName[device.name] = devices.count
            for transport in device.transports { byTransportUnit[transport, default: [:]][device.unit] = devices.count }
            devices.append(runtime)
        }
        state = Mutex(
            State(devices: devices, byName: byName, byTransportUnit: byTransportUnit, timeline: scenario.timeline))
        state.withLock { state in
            Self.applyDueEntries(&state)
            for index in state.devices.indices { Self.encode(&state.devices[index]) }
        }
    }

    /// The register banks served on one transport, by unit id.
    public func banks(for transport: String) -> [UInt8: RegisterBank] {
        state.withLock { state in
            (state.byTransportUnit[transport] ?? [:]).mapValues { state.devices[$0].bank }
        }
    }

    /// Simulated time the models have reached.
    public var now: SimulatedTime { state.withLock { $0.now } }

    /// The most model steps `advance(to:)` takes under one hold of the lock. A catch-up of many
    /// steps (a high `--speed`, a stalled tick) then lets the server threads answer between
    /// batches instead of waiting for all of it; each batch ends with every device's new image.
    public static let stepsPerHold = 50

    /// Steps every model up to `target` in whole steps, applying the timeline on the way.
    /// Returns the number of steps taken, at most `maximumSteps`.
    @discardableResult
    public func advance(to target: SimulatedTime, maximumSteps: Int = 100_000) -> Int {
        let step = scenario.step
        var steps = 0
        while true {
            let batch = min(Self.stepsPerHold, maximumSteps - steps)
            let taken = state.withLock { state in
                var taken = 0
                while taken < batch, state.now.advanced(bySeconds: step) <= target {
                    Self.applyDueEntries(&state)
                    for index in state.devices.indices {
                        var runtime = state.devices[index]
                        runtime.model.advance(by: step, using: &runtime.noise)
                        state.devices[index] = runtime
                    }
                    state.now = state.now.advanced(bySeconds: step)
                    taken += 1
                }
                Self.applyDueEntries(&state)
                if taken > 0 {
                    for index in state.devices.indices { Self.encode(&state.devices[index]) }
                }
                return taken
            }
            steps += taken
            if taken < batch || steps >= maximumSteps { return steps }
        }
    }

    private static func applyDueEntries(_ state: inout State) {
        while state.nextEntry < state.timeline.count,
            SimulatedTime(seconds: state.timeline[state.nextEntry].at) <= state.now
        {
            let entry = state.timeline[state.nextEntry]
            state.nextEntry += 1
            if let index = state.byName[entry.device] { apply(entry.action, to: &state.devices[index], now: state.now) }
        }
    }

    private static func apply(_ action: TimelineEntry.Action, to runtime: inout Runtime, now: SimulatedTime) {
        switch action {
        case .event(let event): _ = runtime.model.apply(event)
        case .fault(let fault): runtime.faults.append(ActiveFault(fault: fault, startedAt: now))
        case .clearFaults: runtime.faults.removeAll()
        }
    }

    /// Writes the device's whole register image for its model's present step in one call, so a
    /// request is answered from this step or the last, never from a mix of the two.
    private static func encode(_ runtime: inout Runtime) {
        let values = values(of: runtime)
        var snapshot = RegisterSnapshot()
        runtime.encoder.encode(values, into: &snapshot)
        runtime.bank.apply(
            RegisterImage(
                holdingRegisters: snapshot.words[.holding] ?? [:], inputRegisters: snapshot.words[.input] ?? [:],
                coils: snapshot.bits[.coil] ?? [:], discreteInputs: snapshot.bits[.discrete] ?? [:]))
    }

    // MARK: - Requests (called on the server threads)

    /// What the device answers: a fault's misbehaviour, a command's refusal, or a normal reply.
    public func decide(_ request: ModbusRequest, transport: String) -> ModbusServerDecision {
        state.withLock { state in
            guard let index = state.byTransportUnit[transport]?[request.unit] else { return .reply }
            let now = state.now
            state.devices[index].faults.removeAll { $0.hasExpired(at: now) }
            var decision: ModbusServerDecision = .reply
            var delay: Duration?
            for faultIndex in state.devices[index].faults.indices {
                let made = state.devices[index].faults[faultIndex].decision(using: &state.devices[index].faultChance)
                if let remaining = state.devices[index].faults[faultIndex].remainingRequests {
                    state.devices[index].faults[faultIndex].remainingRequests = remaining - 1
                }
                if case .delay(let wait, _) = made {
                    delay = wait
                } else if decision == .reply {
                    decision = made
                }
            }
            // A malformed write (a count out of range, a byte count that disagrees with it) is
            // refused by the bank with exception 3 before any device would act on it.
            if decision == .reply, request.isWrite, state.devices[index].bank.exception(for: request) == nil {
                decision = Self.write(request, transport: transport, to: &state.devices[index], now: now)
            }
            if let delay { return .delay(delay, then: decision) }
            return decision
        }
    }

    /// Carries out a write the device accepts and records every write, accepted or not.
    private static func write(
        _ request: ModbusRequest, transport: String, to runtime: inout Runtime, now: SimulatedTime
    )
        -> ModbusServerDecision
    {
        guard let address = request.address else { return .reply }
        let isCoil = request.functionCode == 5 || request.functionCode == 15
        let values = isCoil ? (request.writtenCoils ?? []).map { $0 ? UInt16(1) : 0 } : (request.writtenRegisters ?? [])
        let table: RegisterTable = isCoil ? .coil : .holding
        let profile = runtime.device.profile
        var record = WriteRecord(
            time: now, transport: transport, unit: request.unit, functionCode: request.functionCode, address: address,
            values: values, command: nil, outcome: "accepted")
        defer { runtime.writes.append(record) }
        if let command = profile.commands.first(where: {
            $0.table == table && $0.address == address && $0.values == values
        }) {
            record.command = command.name
            let outcome = perform(command.name, on: &runtime.model)
            record.outcome = outcome.rawValue
            if !outcome.isAccepted {
                // Indicators refuse zero and tare without a standstill; Flintec documents exception 4.
                return .exception(.serverDeviceFailure)
            }
            if isCoil { applyCoils(values, at: address, to: &runtime.model) }
            return .reply
        }
        let writableCoils = profile.points.filter { $0.table == .coil }.map(\.address)
        if isCoil, (address..<(address + values.count)).allSatisfy({ writableCoils.contains($0) }) {
            applyCoils(values, at: address, to: &runtime.model)
            return .reply
        }
        if profile.commands.contains(where: { $0.table == table && $0.address == address }) {
            record.outcome = "refused: no such command value"
            return .exception(.illegalDataValue)
        }
        record.outcome = "refused: not writable"
        return .exception(.illegalDataAddress)
    }

    private static func perform(_ command: String, on model: inout DeviceModelState) -> CommandOutcome {
        guard case .scale(var scale) = model else { return .accepted }
        let outcome: CommandOutcome
        switch command {
        case "zero": outcome = scale.zero()
        case "tare": outcome = scale.tare()
        case "clear_tare":
            scale.clearTare()
            outcome = .accepted
        default: outcome = .accepted
        }
        model = .scale(scale)
        return outcome
    }

    private static func applyCoils(_ values: [UInt16], at address: Int, to model: inout DeviceModelState) {
        guard case .io(var io) = model else { return }
        for (offset, value) in values.enumerated() where address + offset < IOModel.channelCount {
            io.setCoil(address + offset, value != 0)
        }
        model = .io(io)
    }

    // MARK: - Control

    /// Applies an event or fault to a device now; false when no such device exists or the event does not fit.
    @discardableResult
    public func trigger(_ action: TimelineEntry.Action, device name: String) -> Bool {
        state.withLock { state in
            guard let index = state.byName[name] else { return false }
            if case .event(let event) = action {
                guard state.devices[index].model.apply(event) else { return false }
            } else {
                Self.apply(action, to: &state.devices[index], now: state.now)
            }
            Self.encode(&state.devices[index])
            return true
        }
    }

    /// Pins a point to a value (nil: unavailable) until cleared; false for an unknown device or point.
    @discardableResult
    public func override(_ point: String, value: PointValue??, device name: String) -> Bool {
        state.withLock { state in
            guard let index = state.byName[name] else { return false }
            let profile = state.devices[index].device.profile
            guard profile.point(named: point) != nil || profile.flags[point] != nil else { return false }
            if let value {
                state.devices[index].overrides[point] = value
            } else {
                state.devices[index].overrides[point] = nil
            }
            Self.encode(&state.devices[index])
            return true
        }
    }

    /// Removes every pinned value of a device.
    public func clearOverrides(device name: String) -> Bool {
        state.withLock { state in
            guard let index = state.byName[name] else { return false }
            state.devices[index].overrides.removeAll()
            Self.encode(&state.devices[index])
            return true
        }
    }

    /// A device's state for the control channel.
    public func status(of name: String) -> SimulatedDeviceStatus? {
        state.withLock { state in state.byName[name].map { Self.status(state.devices[$0], now: state.now) } }
    }

    /// Every device's state, in scenario order.
    public func statuses() -> [SimulatedDeviceStatus] {
        state.withLock { state in state.devices.map { Self.status($0, now: state.now) } }
    }

    /// The model's values with the pinned ones in place. A pinned temperature or humidity carries
    /// into dew point, as a sensor derives it from what it measures: unavailable when either is,
    /// else the Magnus dew point of the two (unless dew point is pinned itself).
    private static func values(of runtime: Runtime) -> [String: PointValue?] {
        var values = runtime.model.pointValues()
        for (name, value) in runtime.overrides { values[name] = value }
        let pinsClimate = runtime.overrides["temperature"] != nil || runtime.overrides["humidity"] != nil
        if pinsClimate, runtime.overrides["dew_point"] == nil, values.keys.contains("dew_point") {
            if case .number(let temperature)?? = values["temperature"],
                case .number(let humidity)?? = values["humidity"]
            {
                values["dew_point"] = DewPoint.magnus(temperature: temperature, relativeHumidity: humidity).map(
                    PointValue.number)
            } else {
                values["dew_point"] = .some(nil)
            }
        }
        return values
    }

    private static func status(_ runtime: Runtime, now: SimulatedTime) -> SimulatedDeviceStatus {
        let values = values(of: runtime)
        return SimulatedDeviceStatus(
            name: runtime.device.name, unit: runtime.device.unit, transports: runtime.device.transports,
            model: runtime.device.model.rawValue,
            profile: "\(runtime.device.profile.vendor) \(runtime.device.profile.model)",
            label: runtime.device.label, values: values,
            faults: runtime.faults.filter { !$0.hasExpired(at: now) }.map(\.fault.name),
            overrides: Array(runtime.overrides.keys).sorted(), writes: runtime.writes)
    }
}

/// A device as the control channel shows it.
public struct SimulatedDeviceStatus: Sendable {
    public var name: String
    public var unit: UInt8
    public var transports: [String]
    public var model: String
    public var profile: String
    public var label: String?
    public var values: [String: PointValue?]
    public var faults: [String]
    public var overrides: [String]
    public var writes: [WriteRecord]
}
