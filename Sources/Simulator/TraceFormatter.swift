import Modbus
public import ModbusServing

/// One line per request for `stockpile simulate --trace`: hex both ways, and what it meant.
public enum TraceFormatter {
    public static func line(_ event: ModbusTraceEvent) -> String {
        let request = hex(event.request)
        let answer = event.answer.map(hex) ?? "(no answer)"
        var meaning = "unit \(event.unit)"
        if let function = functionCode(event) {
            meaning += " fc \(function)"
            if let name = ModbusFunction(code: function)?.description { meaning += " \(name)" }
        }
        if let (address, count) = addressAndCount(event) { meaning += " \(address)+\(count)" }
        let client = event.client.map { " client \($0)" } ?? ""
        return "\(event.endpoint)\(client) \(meaning) [\(describe(event.decision))]\n  > \(request)\n  < \(answer)"
    }

    static func describe(_ decision: ModbusServerDecision) -> String {
        switch decision {
        case .reply: "reply"
        case .exception(let exception): exception.description
        case .ignore: "silence"
        case .delay(let wait, let then): "after \(wait): \(describe(then))"
        case .corruptCRC: "corrupted CRC"
        case .truncate: "truncated"
        case .dropConnection: "connection dropped"
        case .wrongUnit: "wrong unit id"
        }
    }

    /// The PDU starts after the MBAP header on TCP and after the unit byte on RTU.
    private static func pduStart(_ event: ModbusTraceEvent) -> Int {
        if case .tcp = event.endpoint { return 7 }
        return 1
    }

    private static func functionCode(_ event: ModbusTraceEvent) -> UInt8? {
        let start = pduStart(event)
        return event.request.count > start ? event.request[start] : nil
    }

    private static func addressAndCount(_ event: ModbusTraceEvent) -> (Int, Int)? {
        let start = pduStart(event)
        guard let function = functionCode(event), [1, 2, 3, 4, 15, 16].contains(function),
            event.request.count >= start + 5
        else { return nil }
        let bytes = event.request
        return (Int(bytes[start + 1]) << 8 | Int(bytes[start + 2]), Int(bytes[start + 3]) << 8 | Int(bytes[start + 4]))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }
}
