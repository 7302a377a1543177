import DeviceAccess
import Foundation
import StockpileDomain

/// What `stockpile probe` shows for one read of a device through its profile.
struct ProbeReport: Sendable {
    var transport: String
    var unit: UInt8
    var profile: DeviceProfile
    var result: DeviceReadResult
    var time: Date

    init(transport: String, unit: UInt8, profile: DeviceProfile, result: DeviceReadResult, time: Date = Date()) {
        self.transport = transport
        self.unit = unit
        self.profile = profile
        self.result = result
        self.time = time
    }

    /// A table: point, value, unit, quality, raw registers in hex.
    func tableText() -> String {
        var table = TextTable(header: ["POINT", "VALUE", "UNIT", "QUALITY", "RAW"])
        for reading in result.readings {
            table.rows.append([
                reading.name, reading.value?.description ?? "—", reading.unit ?? "", reading.quality.rawValue,
                reading.raw.map(Self.hex).joined(separator: " "),
            ])
        }
        let transactions = result.transactions == 1 ? "1 transaction" : "\(result.transactions) transactions"
        let summary =
            "\(profile.vendor) \(profile.model) at \(transport) unit \(unit): \(transactions) in "
            + "\(String(format: "%.1f", result.elapsed.milliseconds)) ms"
        return summary + "\n" + table.render()
    }

    /// One JSON object on one line.
    func jsonLine() -> String {
        let object: [String: Any] = [
            "time": JSON.time(time),
            "device": [
                "transport": transport, "unit": Int(unit), "vendor": profile.vendor, "model": profile.model,
                "profile": profile.file,
            ] as [String: Any],
            "points": result.readings.map { reading -> [String: Any] in
                [
                    "name": reading.name, "value": Self.jsonValue(reading.value), "unit": reading.unit ?? NSNull(),
                    "quality": reading.quality.rawValue, "raw": reading.raw.map(Self.hex),
                ]
            },
            "transactions": result.transactions,
            "elapsed_ms": (result.elapsed.milliseconds * 1000).rounded() / 1000,
            "errors": result.failures.map(\.description),
        ]
        return JSON.line(object)
    }

    static func jsonValue(_ value: PointValue?) -> Any {
        switch value {
        case nil: NSNull()
        case .number(let number)?: number
        case .bool(let bool)?: bool
        case .text(let text)?: text
        }
    }

    static func hex(_ word: UInt16) -> String {
        let digits = String(word, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }
}

/// Compact, stable JSON for line-oriented output; total (`JSONText`), so no read is lost as `{}`.
enum JSON {
    static func line(_ object: Any) -> String {
        JSONText.line(object)
    }

    /// `2026-12-01T22:50:00.123Z`: UTC to the millisecond, so reads a fraction of a second apart differ.
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double { seconds * 1000 }
}
