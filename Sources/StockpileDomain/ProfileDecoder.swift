import Foundation

/// Turns the registers read from a device into points with values and qualities, as its profile says.
///
/// Each point is followed by the flags declared on it, so a status register yields `stable`,
/// `overload` … as points of their own. Pure: the same snapshot always gives the same readings.
public struct ProfileDecoder: Sendable {
    public let profile: DeviceProfile

    public init(profile: DeviceProfile) {
        self.profile = profile
    }

    public func decode(_ snapshot: RegisterSnapshot) -> [PointReading] {
        let raws = profile.points.map { rawValue(of: $0, in: snapshot) }
        let status = StatusBits(points: profile.points, raws: raws.map { $0?.value })
        var readings: [PointReading] = []
        readings.reserveCapacity(profile.points.count * 2)
        for (point, raw) in zip(profile.points, raws) {
            readings.append(reading(of: point, raw: raw, status: status))
            for flag in point.flags {
                let value: PointValue? =
                    if flag.bitCount > 1, flag.equals == nil {
                        status.fields[flag.name].map { .number(Double($0)) }
                    } else {
                        status.truth[flag.name].map { .bool($0) }
                    }
                readings.append(
                    PointReading(
                        name: flag.name, value: value, quality: value == nil ? .bad : .good, raw: raw?.words ?? []))
            }
        }
        return readings
    }

    // MARK: - Steps

    private struct Raw {
        var words: [UInt16]
        var value: RawValue
    }

    /// Every flag and bool point that could be read, by name, and every field's integer value.
    private struct StatusBits {
        var truth: [String: Bool] = [:]
        var fields: [String: Int64] = [:]

        init(points: [ProfilePoint], raws: [RawValue?]) {
            for (point, raw) in zip(points, raws) {
                switch raw {
                case .bool(let value)?:
                    truth[point.name] = value
                case .integer(_, let unsigned)?:
                    for flag in point.flags where flag.anyOf.isEmpty {
                        truth[flag.name] = flag.isSet(in: unsigned)
                        fields[flag.name] = flag.fieldValue(in: unsigned)
                    }
                default:
                    break
                }
            }
            // Summary flags last: they read the flags above. Unknown if any part is unknown and none is set.
            for flag in points.flatMap(\.flags) where !flag.anyOf.isEmpty {
                let parts = flag.anyOf.map { truth[$0] }
                if parts.contains(true) {
                    truth[flag.name] = true
                } else if !parts.contains(nil) {
                    truth[flag.name] = false
                }
            }
        }
    }

    private func rawValue(of point: ProfilePoint, in snapshot: RegisterSnapshot) -> Raw? {
        if point.table.holdsBits {
            guard let bit = snapshot.bit(point.table, point.address) else { return nil }
            return Raw(words: [bit ? 1 : 0], value: .bool(bit))
        }
        guard let words = snapshot.words(in: point.range) else { return nil }
        return Raw(words: words, value: RawValue.decode(words, as: point.type, order: point.order))
    }

    private func reading(of point: ProfilePoint, raw: Raw?, status: StatusBits) -> PointReading {
        guard let raw else {
            return PointReading(name: point.name, value: nil, unit: point.unit, quality: .bad)
        }
        func result(_ value: PointValue?, _ quality: ReadingQuality) -> PointReading {
            PointReading(name: point.name, value: value, unit: point.unit, quality: quality, raw: raw.words)
        }
        switch raw.value {
        case .bool(let bit):
            return result(.bool(bit), quality(of: point, status: status))
        case .text(let text):
            return result(.text(text), quality(of: point, status: status))
        case .float(let number):
            if number.isNaN || number.isInfinite { return result(nil, .bad) }
            return numeric(number, point: point, status: status, result: result)
        case .integer(let signed, let unsigned):
            if point.unavailableValues.contains(where: { $0 == signed || UInt64(bitPattern: $0) == unsigned }) {
                return result(nil, .bad)
            }
            return numeric(raw.value.integerValue(for: point.type) ?? 0, point: point, status: status, result: result)
        }
    }

    private func numeric(
        _ rawNumber: Double, point: ProfilePoint, status: StatusBits,
        result: (PointValue?, ReadingQuality) -> PointReading
    ) -> PointReading {
        var number = rawNumber
        var decimals = point.decimals
        if let source = point.decimalsFrom {
            // Without the decimal position the magnitude is unknown: no value rather than a wrong one.
            guard let field = status.fields[source] else { return result(nil, .bad) }
            decimals = Int(field)
        }
        if decimals != 0 { number /= pow(10, Double(decimals)) }
        if let sign = point.signFrom {
            guard let negative = status.truth[sign] else { return result(nil, .bad) }
            if negative { number = -number }
        }
        number = Self.scaled(number, by: point.scale) + point.offset
        // A float64 near its limit times a scale, or a profile built in code with an infinite scale:
        // not a number any store, output or alarm can use, so no value, never `good`.
        guard number.isFinite else { return result(nil, .bad) }
        return result(.number(number), quality(of: point, status: status))
    }

    /// `raw × scale`, dividing when the scale is 1/n: 389 × 0.1 is 38.900000000000006 in binary
    /// floating point, 389 ÷ 10 is 38.9, the value the device means.
    static func scaled(_ raw: Double, by scale: Double) -> Double {
        guard scale != 0, scale < 1 else { return raw * scale }
        let divisor = (1 / scale).rounded()
        return abs(divisor * scale - 1) < 1e-12 ? raw / divisor : raw * scale
    }

    /// `reject` wins over `require`; a flag that could not be read cannot vouch for a value.
    private func quality(of point: ProfilePoint, status: StatusBits) -> ReadingQuality {
        if point.quality.reject.contains(where: { status.truth[$0] == true }) { return .bad }
        if point.quality.require.contains(where: { status.truth[$0] != true }) { return .uncertain }
        if point.quality.doubt.contains(where: { status.truth[$0] != false }) { return .uncertain }
        if point.quality.reject.contains(where: { status.truth[$0] == nil }) { return .uncertain }
        return .good
    }
}
