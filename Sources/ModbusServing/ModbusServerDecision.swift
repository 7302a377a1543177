public import Modbus
/// What a server does with one request, as a `ModbusServerBehavior` decides it.
///
/// Besides the honest answers (`.reply`, `.exception`, `.ignore`) a behavior can inject the faults
/// a field device or a noisy line produces. Each fault is carried out by both loops, TCP and RTU,
/// and counted in `ModbusUnitCounters`:
///
/// | decision           | Modbus TCP on the wire                         | Modbus RTU on the wire                   |
/// | ------------------ | ---------------------------------------------- | ---------------------------------------- |
/// | `.delay(d, then:)` | the inner decision's bytes, `d` later          | the same                                 |
/// | `.corruptCRC`      | function code swapped for one of equal layout  | last CRC byte inverted                   |
/// | `.truncate`        | the first half of the answer                   | the first half of the answer             |
/// | `.dropConnection`  | the connection closed, no answer               | silence                                  |
/// | `.wrongUnit`       | MBAP unit id replaced by the next one          | unit id replaced, CRC valid for it       |
///
/// The faults apply to whatever answer `.reply` would send: the values, or the exception a
/// standard slave sends for a request the bank cannot serve. Writes take effect as with `.reply`,
/// except under `.dropConnection`, which, like `.ignore`, leaves the bank alone.
public enum ModbusServerDecision: Hashable, Sendable {
    /// Answer normally from the unit's register bank; requests the bank cannot serve (an address
    /// outside a table, a bad count, an unknown function) get the exception a standard slave sends.
    case reply
    /// Answer with this Modbus exception instead.
    case exception(ModbusException)
    /// Send nothing, like a slave that is powered off or did not understand the frame.
    case ignore
    /// Carry out the inner decision this much later, as a slow device does.
    ///
    /// The answer is built at once (a write takes effect at once, a read sees the values of that
    /// moment) and held back without holding up anyone else: the loop goes on serving other
    /// clients and units meanwhile. On TCP a connection's answers keep their order, so requests
    /// that follow on the same connection are answered after the delayed one; on RTU the answers
    /// of one unit keep their order, and other units answer at once. A negative delay counts as
    /// zero; nested delays add up.
    indirect case delay(Duration, then: ModbusServerDecision)
    /// Send the normal answer damaged so that the client's integrity check fails.
    ///
    /// RTU: the last byte of the CRC is inverted, so libmodbus reports a bad CRC. TCP has no CRC;
    /// the function code is swapped for its neighbour of the same layout (1↔2, 3↔4, 5↔6, 15↔16,
    /// 17→3; an exception answer's 0x80 + code likewise), header, length and data untouched, so
    /// the answer is framed correctly and then rejected: libmodbus reports invalid data for a
    /// normal answer and an invalid exception code for an exception answer.
    case corruptCRC
    /// Send only the first half of the answer (at least one byte short), so the client waits for
    /// the rest until its byte timeout.
    case truncate
    /// TCP: close the client's connection instead of answering. RTU, where there is no
    /// connection: send nothing.
    case dropConnection
    /// Answer as the next unit id (the unit plus one; 247 and above wrap to 1). RTU: the unit byte
    /// is replaced and the CRC recomputed, so the frame is valid but from another slave, and
    /// libmodbus reports a response not from the requested slave. TCP: the MBAP unit id is
    /// replaced; libmodbus 3.1.6 checks only the transaction and protocol ids of a TCP answer, so
    /// its clients take this one as it is.
    case wrongUnit
}
