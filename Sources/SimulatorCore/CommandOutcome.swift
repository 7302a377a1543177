/// What a simulated device made of a command such as zero or tare.
///
/// Real indicators refuse these rather than fail: the simulator reports the refusal so the server
/// can answer the way the profile's device does (an exception, or an ignored write).
public enum CommandOutcome: String, Hashable, Sendable, CaseIterable {
    /// The command was carried out.
    case accepted
    /// Refused because the weight is not stable (semi-automatic zero and tare need standstill).
    case refusedInMotion
    /// Refused because the value is outside the range the device may act on (zero beyond the
    /// zero-setting range, tare of a negative or overloaded gross).
    case refusedOutOfRange
    /// Refused because the device is reporting an error.
    case refusedInError

    /// True when the command was carried out.
    public var isAccepted: Bool { self == .accepted }
}
