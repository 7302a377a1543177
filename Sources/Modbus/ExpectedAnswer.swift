/// What the answer to one request must look like, so that an answer to another request (a late
/// one, or a neighbour's) is recognised and read past instead of taken for it.
///
/// An RTU frame carries no transaction id: only its unit, function and byte count tell whose it
/// is. A TCP frame carries the transaction id the request was sent with.
struct ExpectedAnswer {
    var function: ModbusFunction
    var unit: UInt8
    var address: Int?
    /// Registers or bits asked for (reads), or written (multiple writes).
    var count: Int?
    /// The value echoed by a single write.
    var singleValue: UInt16?

    /// What a received frame turned out to be.
    enum Verdict: Equatable {
        /// The answer: the bytes after the function code, without the RTU checksum.
        case answer([UInt8])
        /// The device's Modbus exception to this very request.
        case exception(UInt8)
        /// A frame for some other request.
        case other
    }

    /// Judges one frame as `modbus_receive_confirmation` returned it (header included).
    ///
    /// - Parameters:
    ///   - frame: the whole ADU: MBAP header (TCP) or unit byte (RTU), PDU, and the RTU CRC.
    ///   - transactionID: on TCP, the id the request was sent with; nil on RTU.
    func judge(_ frame: [UInt8], transactionID: UInt16?) -> Verdict {
        let headerLength = transactionID == nil ? 1 : 7
        let checksumLength = transactionID == nil ? 2 : 0
        guard frame.count >= headerLength + 2 + checksumLength else { return .other }
        if let transactionID {
            let received = UInt16(frame[0]) << 8 | UInt16(frame[1])
            // Gateways answer with any unit id; libmodbus does not check it on TCP either.
            guard received == transactionID, frame[2] == 0, frame[3] == 0 else { return .other }
        } else {
            guard frame[0] == unit else { return .other }
        }
        let body = Array(frame[(headerLength + 1)..<(frame.count - checksumLength)])
        switch frame[headerLength] {
        case function.code: return accepts(body) ? .answer(body) : .other
        case function.code | 0x80: return body.count == 1 ? .exception(body[0]) : .other
        default: return .other
        }
    }

    private func accepts(_ body: [UInt8]) -> Bool {
        switch function {
        case .readHoldingRegisters, .readInputRegisters:
            let bytes = 2 * (count ?? 0)
            return body.count == 1 + bytes && Int(body[0]) == bytes
        case .readCoils, .readDiscreteInputs:
            let bytes = ((count ?? 0) + 7) / 8
            return body.count == 1 + bytes && Int(body[0]) == bytes
        case .writeSingleCoil, .writeSingleRegister:
            guard body.count == 4, let address else { return false }
            let echoed = UInt16(body[2]) << 8 | UInt16(body[3])
            return Int(UInt16(body[0]) << 8 | UInt16(body[1])) == address && (singleValue.map { $0 == echoed } ?? true)
        case .writeMultipleCoils, .writeMultipleRegisters:
            guard body.count == 4, let address, let count else { return false }
            return Int(UInt16(body[0]) << 8 | UInt16(body[1])) == address
                && Int(UInt16(body[2]) << 8 | UInt16(body[3])) == count
        case .reportServerID:
            return !body.isEmpty && Int(body[0]) == body.count - 1
        case .connect:
            return false
        }
    }
}
