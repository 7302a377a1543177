@testable import SimulatorCore

/// The fixed step every model test uses, as the simulator service does.
let testStep = 0.1

extension DeviceModel {
    /// Advances the model by `seconds` in fixed steps (`testStep` unless a long run asks for more).
    mutating func run(_ seconds: Double, step: Double = testStep, rng: inout SeededGenerator) {
        for _ in 0..<Int((seconds / step).rounded()) { advance(by: step, using: &rng) }
    }
}
