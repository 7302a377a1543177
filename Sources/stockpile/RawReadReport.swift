import DeviceAccess
import Foundation
import StockpileDomain

/// How the probe shows a raw read: a table for a person, one JSON object for a script.
extension RawRead {
    /// Address, manual number, hex, unsigned and signed, one register per line.
    func tableText(_ values: [UInt16]) -> String {
        if table.holdsBits {
            var table = TextTable(header: ["ADDRESS", "MANUAL", "VALUE"])
            for (index, value) in values.enumerated() {
                table.rows.append([
                    "\(address + index)", ManualNotation.number(self.table, address + index), "\(value)",
                ])
            }
            return table.render()
        }
        var table = TextTable(header: ["ADDRESS", "MANUAL", "HEX", "UINT16", "INT16"])
        for (index, value) in values.enumerated() {
            table.rows.append([
                "\(address + index)", ManualNotation.number(self.table, address + index), ProbeReport.hex(value),
                "\(value)",
                "\(Int16(bitPattern: value))",
            ])
        }
        return table.render()
    }

    /// Every type and order interpretation, side by side.
    func interpretationsText(_ values: [UInt16]) -> String {
        var table = TextTable(header: ["ADDRESS", "TYPE", "ABCD", "CDAB", "BADC", "DCBA"])
        for row in RegisterInterpretations(registers: values).rows() {
            let typeName = if case .string(let registers) = row.type { "string[\(registers)]" } else { row.type.name }
            table.rows.append(
                ["\(address + row.offset)", typeName] + WordOrder.allCases.map { row.values[$0] ?? "·" })
        }
        return table.render()
    }

    /// One JSON object for `--json`.
    func jsonLine(_ values: [UInt16], unit: UInt8, transport: String, elapsed: Duration, guessOrder: Bool) -> String {
        var object: [String: Any] = [
            "time": JSON.time(Date()),
            "device": ["transport": transport, "unit": Int(unit)] as [String: Any],
            "read": ["table": table.rawValue, "address": address, "count": count] as [String: Any],
            "raw": values.map { table.holdsBits ? "\($0)" : ProbeReport.hex($0) },
            "transactions": 1,
            "elapsed_ms": (elapsed.milliseconds * 1000).rounded() / 1000,
        ]
        if guessOrder, !table.holdsBits {
            // Values as numbers (64-bit integers exactly), texts as strings.
            object["interpretations"] = RegisterInterpretations(registers: values).jsonRows().map { row, values in
                var entry: [String: Any] = ["address": address + row.offset, "type": row.type.name]
                for (order, value) in values { entry[order.rawValue] = value.object }
                return entry
            }
        }
        return JSON.line(object)
    }
}
