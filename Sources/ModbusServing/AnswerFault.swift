import Modbus
/// A fault done to an answer built the honest way, just before it goes on the wire.
///
/// Pure byte surgery, the same for both loops except where the framings differ: an RTU answer is
/// unit, PDU and CRC (low byte first); a TCP answer is the 7-byte MBAP header (unit id last) and
/// the PDU. An empty answer (nothing to send) stays empty.
enum AnswerFault: Hashable {
    case corruptCRC
    case truncate
    case dropConnection
    case wrongUnit

    /// The bytes to send instead of `answer`; empty when nothing is sent.
    func apply(to answer: [UInt8], framing: RequestRouter.Transport) -> [UInt8] {
        guard !answer.isEmpty else { return answer }
        var bytes = answer
        switch (self, framing) {
        case (.corruptCRC, .rtu):
            bytes[bytes.count - 1] ^= 0xFF
        case (.corruptCRC, .tcp):
            guard bytes.count > Self.tcpHeaderLength else { return bytes }
            bytes[Self.tcpHeaderLength] = Self.neighbour(of: bytes[Self.tcpHeaderLength])
        case (.truncate, _):
            bytes.removeLast(bytes.count - bytes.count / 2)
        case (.dropConnection, _):
            bytes = []
        case (.wrongUnit, .rtu):
            bytes[0] = Self.unit(after: bytes[0])
            let crc = RTUFraming.crc16(bytes.dropLast(2))
            bytes[bytes.count - 2] = UInt8(crc & 0xFF)
            bytes[bytes.count - 1] = UInt8(crc >> 8)
        case (.wrongUnit, .tcp):
            guard bytes.count >= Self.tcpHeaderLength else { return bytes }
            bytes[Self.tcpHeaderLength - 1] = Self.unit(after: bytes[Self.tcpHeaderLength - 1])
        }
        return bytes
    }

    /// The MBAP header: transaction id, protocol id, length, unit id.
    static let tcpHeaderLength = 7

    /// The unit id a misaddressed answer claims: the next one, wrapping from 247 (and the ids
    /// above it, which TCP allows) to 1. Never the unit itself.
    static func unit(after unit: UInt8) -> UInt8 {
        unit >= 247 ? 1 : unit + 1
    }

    /// A different function code whose answer has the same layout, so that libmodbus frames the
    /// answer completely and then rejects it rather than waiting for bytes that never come.
    /// The exception flag (0x80) is kept.
    static func neighbour(of code: UInt8) -> UInt8 {
        let flag = code & 0x80
        let swapped: UInt8 =
            switch code & 0x7F {
            case 1: 2
            case 2: 1
            case 3: 4
            case 4: 3
            case 5: 6
            case 6: 5
            case 15: 16
            case 16: 15
            // Report server id answers like a register read: a byte count, then the bytes.
            case 17: 3
            // Only an exception answer can carry another code, and any other code is rejected.
            case let other: other ^ 1
            }
        return flag | swapped
    }
}
