public import StockpileDomain

/// A simulated device's physics: stepped on a virtual clock, read as named point values.
///
/// Determinism contract, shared by every model:
/// - the caller (the simulator service) calls `advance(by:using:)` with one fixed step, for example
///   0.1 s, whatever the wall clock does; a model's state after n steps depends only on its
///   configuration, the seed of `rng`, and the events applied between steps;
/// - reading (`pointValues()`, and `reading()` where a model has one) never changes state or draws a
///   random number, so polling a device often or rarely cannot change what it reports;
/// - events (a load added, a door opened) draw no random numbers either, so one event never shifts
///   the noise of everything after it.
///
/// Same seed, same events at the same simulated times ⇒ bit-identical values at the same simulated time.
public protocol DeviceModel: Sendable {
    /// How far the model's virtual clock has run.
    var time: SimulatedTime { get }

    /// Moves the model on by one fixed step of `seconds` (> 0), drawing its noise from `rng`.
    mutating func advance(by seconds: Double, using rng: inout SeededGenerator)

    /// The model's outputs keyed by the shared point vocabulary (`gross`, `humidity`, `door_1` …).
    /// A key with a nil value is a point the device cannot measure right now (a sensor fault).
    func pointValues() -> [String: PointValue?]
}
