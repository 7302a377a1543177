public import StockpileDomain

/// An 8-input, 8-output IO module: door contacts on the inputs, a beacon and a siren on the outputs.
///
/// Matches `Devices/io/generic-8ch-io.yaml`: discrete inputs 0–7 are `door_1` … `door_8`, coils
/// 0–7 are `beacon`, `siren`, `output_3` … `output_8`. Doors are opened and closed by scenario
/// events; coils are written by Modbus clients (the server passes each write to `setCoil`).
/// Nothing here is random, but the module keeps the same clock as every other model.
public struct IOModel: DeviceModel, Hashable {
    /// Inputs and outputs on the module.
    public static let channelCount = 8

    /// How a door's contact is wired.
    public struct Configuration: Hashable, Sendable {
        /// True: an input reads active while its door is open (a normally-open contact closing as
        /// the door opens). False: active while closed (the usual normally-closed door contact,
        /// which also reports a cut wire as an open door). The site file, not the profile, says which.
        public var activeWhenOpen: Bool

        /// A configuration; by default an input is active while its door is open.
        public init(activeWhenOpen: Bool = true) {
            self.activeWhenOpen = activeWhenOpen
        }
    }

    /// The module's wiring.
    public let configuration: Configuration
    /// How far the model's virtual clock has run.
    public private(set) var time: SimulatedTime = .zero
    /// Whether each door is open, door 1 first.
    public private(set) var doorsOpen = [Bool](repeating: false, count: channelCount)
    /// Each coil's state, coil 0 (beacon) first.
    public private(set) var coils = [Bool](repeating: false, count: channelCount)

    /// A module with every door closed and every output off.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The beacon (coil 0).
    public var beacon: Bool { coils[0] }
    /// The siren (coil 1).
    public var siren: Bool { coils[1] }

    /// Moves the clock on; the module has no physics and draws no random numbers.
    public mutating func advance(by seconds: Double, using rng: inout SeededGenerator) {
        precondition(seconds > 0, "a step moves time forward")
        time = time.advanced(bySeconds: seconds)
    }

    /// `door_1` … `door_8` (the input states, per the wiring), `beacon`, `siren`, `output_3` … `output_8`.
    public func pointValues() -> [String: PointValue?] {
        var values: [String: PointValue?] = [:]
        for (index, open) in doorsOpen.enumerated() {
            values["door_\(index + 1)"] = .bool(open == configuration.activeWhenOpen)
        }
        for (index, on) in coils.enumerated() {
            values[Self.coilName(index)] = .bool(on)
        }
        return values
    }

    /// The point name of coil `index` (0-based).
    public static func coilName(_ index: Int) -> String {
        switch index {
        case 0: "beacon"
        case 1: "siren"
        default: "output_\(index + 1)"
        }
    }

    /// Opens door `number` (1–8).
    public mutating func openDoor(_ number: Int) {
        setDoor(number, open: true)
    }

    /// Closes door `number` (1–8).
    public mutating func closeDoor(_ number: Int) {
        setDoor(number, open: false)
    }

    /// Opens or closes door `number` (1–8). Scenario files are validated on load, so another
    /// number is a programming error.
    public mutating func setDoor(_ number: Int, open: Bool) {
        precondition((1...Self.channelCount).contains(number), "doors are numbered 1–\(Self.channelCount)")
        doorsOpen[number - 1] = open
    }

    /// Switches coil `index` (0-based wire address: 0 beacon, 1 siren), as a client's write does.
    public mutating func setCoil(_ index: Int, _ on: Bool) {
        precondition((0..<Self.channelCount).contains(index), "coils are 0–\(Self.channelCount - 1)")
        coils[index] = on
    }
}
