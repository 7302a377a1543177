public import StockpileDomain

/// Writes point values into registers as a device with this profile would: the inverse of
/// `ProfileDecoder`, so the simulator serves any profile from one set of named values.
///
/// Decoding what `encode` wrote gives back the values, up to the registers' resolution.
///
/// Rules, in the order they are applied (later steps win where they touch the same bits):
/// 1. **Points** named in `values`. A number becomes (value − offset) / scale × 10^decimals
///    (decimals from `decimals_from` when declared: that field's value in `values`, else in the
///    registers), rounded to the nearest integer and clamped to the type's range; a point with
///    `sign_from` is written as a magnitude. A real value that would land on one of the point's
///    sentinels is moved one count towards zero, so it never reads as "unavailable". Floats are
///    written as IEEE 754 bits. Words follow the point's order (`WordOrder.split`). Bool points
///    (coil, discrete input, register bit) take `.bool`; string points take `.text` (UTF-8, cut to
///    fit, padded with NUL).
///    A nil value ("unavailable") writes the point's first integer sentinel, or NaN for a float;
///    an integer point without a sentinel is left as it was.
/// 2. **Fields** (multi-bit flags without `equals`, like `error_code`) given a `.number`: the
///    value is written into their bits.
/// 3. **Plain flags** given a `.bool`: their bit is set or cleared, `invert` respected.
/// 4. **`equals` flags**: false ones first, then true ones. True writes the flag's value into the
///    field; false clears the field only if it holds that value. A named condition therefore wins
///    over a raw code in the same field (Flintec: `overload` true beats `error_code` 0).
/// 5. **Summary flags** (`any`): true when none of the parts is true sets the first part; false
///    clears every part not itself named in `values` (so a cleared fault does not stay latched).
/// 6. **Sign flags** of the points written in step 1: set when the value was negative (and did not
///    round to zero), cleared otherwise. They come last because the sign must match the magnitude.
///
/// Flags not named in `values` keep the bits they have: a register bank written every step keeps
/// whatever a scenario set directly.
public struct ProfileEncoder: Sendable {
    /// The profile whose layout is written.
    public let profile: DeviceProfile
    private let flags: [String: (point: ProfilePoint, flag: FlagDefinition)]
    private let booleanPoints: [String: ProfilePoint]

    /// An encoder for `profile`.
    public init(profile: DeviceProfile) {
        self.profile = profile
        self.flags = profile.flags
        self.booleanPoints = Dictionary(
            profile.points.filter(\.isBoolean).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The number of addresses each table needs (highest address used + 1), counting every point
    /// and every command, so a server can size its register banks and accept command writes.
    public static func registerExtent(of profile: DeviceProfile) -> [RegisterTable: Int] {
        var extent: [RegisterTable: Int] = [:]
        for point in profile.points {
            extent[point.table] = max(extent[point.table] ?? 0, point.range.last + 1)
        }
        for command in profile.commands {
            extent[command.table] = max(extent[command.table] ?? 0, command.address + max(command.values.count, 1))
        }
        return extent
    }

    /// Writes every point and flag of the profile named in `values` into `snapshot` (see the rules
    /// above). Names the profile does not have are ignored.
    public func encode(_ values: [String: PointValue?], into snapshot: inout RegisterSnapshot) {
        var signs: [(flag: String, negative: Bool)] = []
        for point in profile.points {
            guard let value = values[point.name] else { continue }
            let negative = encode(value, as: point, values: values, into: &snapshot)
            if let negative, let sign = point.signFrom { signs.append((sign, negative)) }
        }
        let named = profile.points.flatMap { point in point.flags.map { (point, $0) } }
            .compactMap { point, flag -> (ProfilePoint, FlagDefinition, PointValue)? in
                guard let entry = values[flag.name], let value = entry else { return nil }
                return (point, flag, value)
            }
        // Step 2: raw fields.
        for (point, flag, value) in named where flag.anyOf.isEmpty && flag.bitCount > 1 && flag.equals == nil {
            if case .number(let number) = value, number.isFinite {
                // Clamped before converting: Int64(_:) traps outside its range.
                setField(flag, of: point, to: Int64(min(max(number.rounded(), -0x1p62), 0x1p62)), in: &snapshot)
            } else if let truth = Self.truth(value) {
                setTruth(flag.name, truth, values: values, in: &snapshot)
            }
        }
        // Step 3: plain bit flags.
        for (_, flag, value) in named where flag.anyOf.isEmpty && flag.bitCount == 1 && flag.equals == nil {
            if let truth = Self.truth(value) { setTruth(flag.name, truth, values: values, in: &snapshot) }
        }
        // Step 4: equals flags, false before true.
        let equalsFlags = named.filter { $0.1.anyOf.isEmpty && $0.1.equals != nil }
        for wanted in [false, true] {
            for (_, flag, value) in equalsFlags where Self.truth(value) == wanted {
                setTruth(flag.name, wanted, values: values, in: &snapshot)
            }
        }
        // Step 5: summary flags.
        for (_, flag, value) in named where !flag.anyOf.isEmpty {
            if let truth = Self.truth(value) { setTruth(flag.name, truth, values: values, in: &snapshot) }
        }
        // Step 6: signs.
        for (flag, negative) in signs {
            setTruth(flag, negative, values: values, in: &snapshot)
        }
    }

    // MARK: - Points

    /// Writes one point; returns whether the value was negative when the point has `sign_from`.
    private func encode(
        _ value: PointValue?, as point: ProfilePoint, values: [String: PointValue?],
        into snapshot: inout RegisterSnapshot
    ) -> Bool? {
        if point.isBoolean {
            if let value, let truth = Self.truth(value) { setBooleanPoint(point, truth, in: &snapshot) }
            return nil
        }
        if case .string(let registers) = point.type {
            if case .text(let text)? = value {
                store(Self.stringWords(text, registers: registers, order: point.order), for: point, in: &snapshot)
            }
            return nil
        }
        let number = value.flatMap(Self.number)
        if point.type.isFloat {
            var raw = Double.nan
            if let number { raw = (number - point.offset) / point.scale * Self.powerOfTen(point.decimals) }
            let bits = point.type == .float32 ? UInt64(Float(raw).bitPattern) : raw.bitPattern
            store(point.order.split(bits, count: point.type.width), for: point, in: &snapshot)
            return nil
        }
        guard let number, !number.isNaN else {
            // No measurement: the device's sentinel, if it has one; otherwise nothing to say it with.
            if let sentinel = point.unavailableValues.first {
                let bits = UInt64(bitPattern: sentinel) & Self.mask(bits: 16 * point.type.width)
                store(point.order.split(bits, count: point.type.width), for: point, in: &snapshot)
            }
            return nil
        }
        let decimals = decimals(of: point, values: values, snapshot: snapshot)
        var raw = (number - point.offset) / point.scale * Self.powerOfTen(decimals)
        var negative = false
        if point.signFrom != nil {
            negative = raw < 0 && raw.magnitude.rounded() != 0
            raw = raw.magnitude
        }
        var bits = Self.clampedBits(raw.rounded(), type: point.type)
        let words = point.order.split(bits, count: point.type.width)
        if Self.isSentinel(bits, of: point),
            let written = RawValue.decode(words, as: point.type, order: point.order).integerValue(for: point.type)
        {
            // A real value must not read as "no measurement" (0x7FFF is also int16's clamp limit):
            // move it one count towards zero, the nearest value the device can still report.
            bits = Self.clampedBits(written - (written < 0 ? -1 : 1), type: point.type)
        }
        store(point.order.split(bits, count: point.type.width), for: point, in: &snapshot)
        return point.signFrom == nil ? nil : negative
    }

    /// The decimal count: the point's own, or its `decimals_from` field's (from `values`, then from
    /// the registers as they stand), kept within ±30 so a garbage field cannot trap or stall.
    private func decimals(of point: ProfilePoint, values: [String: PointValue?], snapshot: RegisterSnapshot) -> Int {
        guard let source = point.decimalsFrom else { return point.decimals }
        var count = Double(point.decimals)
        if let entry = values[source], case .number(let number)? = entry, number.isFinite {
            count = number.rounded()
        } else if let field = flags[source] {
            count = Double(field.flag.fieldValue(in: raw(of: field.point, in: snapshot)))
        }
        return Int(min(max(count, -30), 30))
    }

    private func store(_ words: [UInt16], for point: ProfilePoint, in snapshot: inout RegisterSnapshot) {
        snapshot.store(words, table: point.table, at: point.address)
    }

    private func setBooleanPoint(_ point: ProfilePoint, _ truth: Bool, in snapshot: inout RegisterSnapshot) {
        if case .bit(let bit) = point.type {
            // A register bit: the decoder tests it in the word as read, without any byte swap.
            let word = snapshot.words(in: point.range)?.first ?? 0
            let mask = UInt16(1) << UInt16(bit)
            snapshot.store([truth ? word | mask : word & ~mask], table: point.table, at: point.address)
        } else {
            snapshot.store([truth], table: point.table, at: point.address)
        }
    }

    // MARK: - Flags

    /// The register value a flag's point holds now (0 where nothing has been written yet).
    private func raw(of point: ProfilePoint, in snapshot: RegisterSnapshot) -> UInt64 {
        snapshot.words(in: point.range).map { point.order.combine($0) } ?? 0
    }

    private func setField(
        _ flag: FlagDefinition, of point: ProfilePoint, to value: Int64, in snapshot: inout RegisterSnapshot
    ) {
        let mask = Self.mask(bits: flag.bitCount) << UInt64(flag.lowBit)
        let field = (UInt64(bitPattern: value) << UInt64(flag.lowBit)) & mask
        let updated = (raw(of: point, in: snapshot) & ~mask) | field
        store(point.order.split(updated, count: point.type.width), for: point, in: &snapshot)
    }

    /// The current truth of a flag or bool point in the registers; nil if it cannot be read.
    private func truth(of name: String, in snapshot: RegisterSnapshot) -> Bool? {
        if let entry = flags[name] {
            let (point, flag) = entry
            if flag.anyOf.isEmpty { return flag.isSet(in: raw(of: point, in: snapshot)) }
            return flag.anyOf.contains { truth(of: $0, in: snapshot) == true }
        }
        guard let point = booleanPoints[name] else { return nil }
        if case .bit(let bit) = point.type {
            return snapshot.words(in: point.range).map { $0[0] & (UInt16(1) << UInt16(bit)) != 0 }
        }
        return snapshot.bit(point.table, point.address)
    }

    /// Makes the flag or bool point `name` read as `truth`, changing as few bits as possible.
    private func setTruth(
        _ name: String, _ truth: Bool, values: [String: PointValue?], in snapshot: inout RegisterSnapshot
    ) {
        if let entry = flags[name] {
            let (point, flag) = entry
            if !flag.anyOf.isEmpty {
                if truth {
                    // Any part will do; the first is the device's most general error.
                    let anySet = flag.anyOf.contains { self.truth(of: $0, in: snapshot) == true }
                    if !anySet, let first = flag.anyOf.first { setTruth(first, true, values: values, in: &snapshot) }
                } else {
                    for part in flag.anyOf where values[part] == nil {
                        setTruth(part, false, values: values, in: &snapshot)
                    }
                }
                return
            }
            if flag.isSet(in: raw(of: point, in: snapshot)) == truth {
                // Already right, but perhaps only because nothing was written yet: write it, so a
                // flag cleared since the last encoding is cleared in the bank too.
                if snapshot.words(in: point.range) == nil {
                    store(
                        point.order.split(raw(of: point, in: snapshot), count: point.type.width), for: point,
                        in: &snapshot)
                }
                return
            }
            // Only reached when the flag reads wrong: either the field must match, or it matches
            // and must not (then it is cleared; a field compared with 0 is set to 1 instead).
            let match = truth != flag.inverted
            let target: Int64 =
                if let equals = flag.equals { match ? equals : (equals == 0 ? 1 : 0) } else { match ? 1 : 0 }
            setField(flag, of: point, to: target, in: &snapshot)
        } else if let point = booleanPoints[name] {
            setBooleanPoint(point, truth, in: &snapshot)
        }
    }

    // MARK: - Values

    /// A value as a number: numbers as they are, booleans as 1/0, text parsed if it is a number.
    private static func number(_ value: PointValue) -> Double? {
        switch value {
        case .number(let number): number
        case .bool(let truth): truth ? 1 : 0
        case .text(let text): Double(text)
        }
    }

    /// A value as a truth: booleans as they are, numbers true when non-zero.
    private static func truth(_ value: PointValue) -> Bool? {
        switch value {
        case .bool(let truth): truth
        case .number(let number): number.isNaN ? nil : number != 0
        case .text: nil
        }
    }

    /// 10ⁿ by repeated multiplication: exact for the decimal counts profiles use (10²² is the
    /// largest power of ten a Double holds exactly).
    private static func powerOfTen(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent.magnitude { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }

    /// Whether raw bits read as one of the point's sentinels, compared as `ProfileDecoder` does.
    private static func isSentinel(_ bits: UInt64, of point: ProfilePoint) -> Bool {
        guard !point.unavailableValues.isEmpty else { return false }
        guard
            case .integer(let signed, let unsigned) = RawValue.decode(
                point.order.split(bits, count: point.type.width), as: point.type, order: point.order)
        else { return false }
        return point.unavailableValues.contains { $0 == signed || UInt64(bitPattern: $0) == unsigned }
    }

    private static func mask(bits: Int) -> UInt64 {
        bits >= 64 ? .max : (UInt64(1) << UInt64(bits)) - 1
    }

    /// An integer (already rounded) clamped to the type's range, as the type's bits.
    private static func clampedBits(_ value: Double, type: PointType) -> UInt64 {
        switch type {
        case .int64:
            if value.isNaN { return 0 }
            if value >= 0x1p63 { return UInt64(bitPattern: .max) }
            if value <= -0x1p63 { return UInt64(bitPattern: .min) }
            return UInt64(bitPattern: Int64(value))
        case .uint64:
            if value.isNaN || value <= 0 { return 0 }
            return value >= 0x1p64 ? .max : UInt64(value)
        default:
            let width = 16 * type.width
            let low = type.isSigned ? -Double(UInt64(1) << UInt64(width - 1)) : 0
            let high = type.isSigned ? Double((UInt64(1) << UInt64(width - 1)) - 1) : Double(mask(bits: width))
            let clamped = value.isNaN ? 0 : min(max(value, low), high)
            return UInt64(bitPattern: Int64(clamped)) & mask(bits: width)
        }
    }

    /// Text as registers, two UTF-8 bytes each, first character in the high byte (byte-swapped for
    /// BADC and DCBA, word order untouched, as `RawValue.decode` reads strings).
    private static func stringWords(_ text: String, registers: Int, order: WordOrder) -> [UInt16] {
        var bytes = Array(text.utf8.prefix(2 * registers))
        bytes += [UInt8](repeating: 0, count: 2 * registers - bytes.count)
        return (0..<registers).map { index in
            let word = UInt16(bytes[2 * index]) << 8 | UInt16(bytes[2 * index + 1])
            return order.swapsBytes ? word.byteSwapped : word
        }
    }
}
