import Modbus
/// Where an RTU request ends, and whether its CRC holds.
///
/// A serial line carries frames for many units, and libmodbus's RTU receive keeps only those for
/// the one slave id its context is set to. The server therefore frames requests itself: by the
/// length the function code implies when it is known, else by the silence that ends every frame.
enum RTUFraming {
    /// The longest RTU frame: unit, 253-byte PDU, CRC.
    static let maximumLength = 256
    /// The shortest: unit, function code, CRC.
    static let minimumLength = 4

    /// What the bytes at the start of `frame` say about its length.
    enum Length: Equatable {
        /// The frame is this long, CRC included.
        case bytes(Int)
        /// The header read so far does not yet say; more bytes are needed.
        case needsMoreBytes
        /// The function's requests have no fixed layout; a silence ends the frame.
        case untilSilence
    }

    /// The length of the request starting at `frame[frame.startIndex]`.
    static func length(of frame: ArraySlice<UInt8>) -> Length {
        let start = frame.startIndex
        guard frame.count >= 2 else { return .needsMoreBytes }
        switch frame[start + 1] {
        case 1...6:
            // Unit, function, address, count or value, CRC.
            return .bytes(8)
        case 15, 16:
            // Unit, function, address, count, byte count, the bytes, CRC.
            guard frame.count >= 7 else { return .needsMoreBytes }
            return .bytes(9 + Int(frame[start + 6]))
        case 7, 11, 12, 17:
            // Read exception status, comm event counter and log, report server id: no data.
            return .bytes(4)
        case 22:
            // Mask write register: address, AND mask, OR mask.
            return .bytes(10)
        case 23:
            // Read/write multiple registers: read address and count, write address, count, byte count, bytes.
            guard frame.count >= 11 else { return .needsMoreBytes }
            return .bytes(13 + Int(frame[start + 10]))
        default:
            return .untilSilence
        }
    }

    /// True when the last two bytes are the CRC-16/MODBUS of the others (low byte first).
    static func hasValidCRC(_ frame: ArraySlice<UInt8>) -> Bool {
        guard frame.count >= minimumLength else { return false }
        let crc = crc16(frame.dropLast(2))
        return frame[frame.endIndex - 2] == UInt8(crc & 0xFF) && frame[frame.endIndex - 1] == UInt8(crc >> 8)
    }

    /// CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF.
    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xA001 : crc >> 1
            }
        }
        return crc
    }
}
