/// What a server does with one request, as a `ModbusServerBehavior` decides it.
///
/// New ways to misbehave (a delay, a corrupted CRC, a truncated frame, a dropped connection) are
/// meant to join as further cases; the server's loops handle each case in one place.
public enum ModbusServerDecision: Hashable, Sendable {
    /// Answer normally from the unit's register bank; requests the bank cannot serve (an address
    /// outside a table, a bad count, an unknown function) get the exception a standard slave sends.
    case reply
    /// Answer with this Modbus exception instead.
    case exception(ModbusException)
    /// Send nothing, like a slave that is powered off or did not understand the frame.
    case ignore
}
