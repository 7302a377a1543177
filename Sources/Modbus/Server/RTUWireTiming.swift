/// How long frames take on a Modbus RTU line at its baud, as a server paces its answers.
///
/// Modbus over serial line (V1.02, §2.5.1) sends 11 bits a character: start, 8 data, parity (or a
/// second stop bit without parity), stop. Frames are separated by a silence of 3.5 characters,
/// fixed at 1.75 ms above 19,200 baud (§2.5.1.1). A request of n bytes and its answer of m bytes
/// therefore hold the line for (n + m) × 11 / baud seconds plus two such silences.
public struct RTUWireTiming: Hashable, Sendable, CustomStringConvertible {
    /// Bits a second on the line.
    public let baud: Int

    /// Bits on the wire per character.
    public static let bitsPerCharacter = 11

    /// Timing for a line at `baud` (at least 1).
    public init(baud: Int) {
        self.baud = max(baud, 1)
    }

    /// One character on the wire.
    public var characterTime: Duration {
        .nanoseconds(Int64(Self.bitsPerCharacter) * 1_000_000_000 / Int64(baud))
    }

    /// The silence between two frames: 3.5 characters, or 1.75 ms above 19,200 baud.
    public var frameSilence: Duration {
        guard baud <= 19_200 else { return .microseconds(1_750) }
        return .nanoseconds(35 * Int64(Self.bitsPerCharacter) * 100_000_000 / Int64(baud))
    }

    /// The wire time of `bytes` bytes.
    public func transmission(of bytes: Int) -> Duration {
        .nanoseconds(Int64(bytes) * Int64(Self.bitsPerCharacter) * 1_000_000_000 / Int64(baud))
    }

    /// The time one exchange holds the line: the request, a silence, the answer, a silence.
    public func exchange(request: Int, answer: Int) -> Duration {
        transmission(of: request + answer) + frameSilence * 2
    }

    public var description: String { "\(baud) baud" }
}
