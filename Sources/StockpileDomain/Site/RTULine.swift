public import Modbus

extension SiteConfiguration {
    /// A Modbus RTU serial line (RS-485), its settings shared by every unit on it.
    public struct RTULine: Hashable, Sendable {
        /// The parity bit, as written in the site file (`N`, `E`, `O`): the bridge's own type, so a
        /// line's settings are one value from the site file to the serial port. Only this value
        /// type crosses from the bridge into the domain.
        public typealias Parity = SerialLine.Parity

        /// The serial speeds the line can be set to (termios rates; libmodbus silently falls back
        /// to 9600 on any other).
        public static let standardBauds = [
            300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115_200, 230_400, 460_800, 921_600,
        ]

        public var name: String
        /// The serial device (`/dev/ttyUSB0`, or the simulator's pty link).
        public var device: String
        public var baud: Int
        public var parity: Parity
        /// Always 8: Modbus RTU sends 8-bit bytes.
        public var dataBits: Int
        public var stopBits: Int
        /// Silence kept between the end of one transaction and the next request, beyond the 3.5
        /// characters the standard asks for; some slaves need more.
        public var interFrameDelay: Duration
        /// Switch the UART to RS-485 mode (`TIOCSRS485`); only on hardware that supports it.
        public var rs485: Bool
        /// The line in the site file, for messages.
        public var line: Int?

        public init(
            name: String, device: String, baud: Int = 9600, parity: Parity = .even, dataBits: Int = 8,
            stopBits: Int = 1,
            interFrameDelay: Duration = .zero, rs485: Bool = false, line: Int? = nil
        ) {
            self.name = name
            self.device = device
            self.baud = baud
            self.parity = parity
            self.dataBits = dataBits
            self.stopBits = stopBits
            self.interFrameDelay = interFrameDelay
            self.rs485 = rs485
            self.line = line
        }
    }
}
