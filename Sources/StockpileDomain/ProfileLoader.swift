import Foundation

/// Reads device profiles (`Devices/*.yaml`) and checks them, with file:line:field errors.
///
/// The format is documented in `Devices/README.md`. Addresses are converted to 0-based wire
/// addresses here, so nothing after loading needs to know the file's `address_base`.
public enum ProfileLoader {
    /// Loads and validates a profile file.
    public static func load(file path: String) throws(ConfigurationError) -> DeviceProfile {
        try parse(try YAMLField.text(ofFile: path), file: path)
    }

    /// Parses and validates a profile's text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> DeviceProfile {
        let root = try YAMLField.parse(text, file: file)
        try root.allowOnly(["vendor", "model", "kind", "source", "transport", "points", "commands", "vectors"])
        let (transport, base) = try parseTransport(try root.optional("transport"))
        var points: [ProfilePoint] = []
        for item in try root.required("points").items() {
            points.append(try parsePoint(item, base: base, defaultOrder: transport.wordOrder))
        }
        var profile = DeviceProfile(
            vendor: try root.required("vendor").nonEmptyString(),
            model: try root.required("model").nonEmptyString(),
            kind: try root.required("kind").choice(DeviceProfile.Kind.self),
            source: try parseSource(try root.required("source")),
            transport: transport,
            points: points,
            file: file)
        try checkPoints(profile, root: root)
        if let commands = try root.optional("commands") {
            for (name, value) in try commands.entries() {
                profile.commands.append(try parseCommand(name: name, value, base: base))
            }
        }
        let vectors = try root.required("vectors")
        for item in try vectors.items() {
            profile.vectors.append(try parseVector(item, base: base, profile: profile))
        }
        if profile.vectors.isEmpty { throw vectors.error("a profile needs at least one test vector") }
        return profile
    }

    // MARK: - Sections

    private static func parseSource(_ field: YAMLField) throws(ConfigurationError) -> DeviceProfile.Source {
        try field.allowOnly(["document", "number", "pages", "notes"])
        return DeviceProfile.Source(
            document: try field.required("document").string(),
            number: try field.optional("number")?.string(),
            pages: try field.optional("pages")?.string(),
            notes: try field.optional("notes")?.string())
    }

    private static func parseTransport(_ field: YAMLField?) throws(ConfigurationError) -> (TransportDefaults, Int) {
        var transport = TransportDefaults()
        guard let field else { return (transport, 0) }
        try field.allowOnly([
            "address_base", "word_order", "max_registers", "max_bits", "max_gap", "forbidden",
            "delay_after_connect_ms", "delay_between_requests_ms",
        ])
        let base = try field.optional("address_base")?.int(in: 0...1) ?? 0
        if let order = try field.optional("word_order") { transport.wordOrder = try order.choice(WordOrder.self) }
        if let value = try field.optional("max_registers") { transport.maxRegisters = try value.int(in: 1...125) }
        if let value = try field.optional("max_bits") { transport.maxBits = try value.int(in: 1...2000) }
        if let value = try field.optional("max_gap") { transport.maxGap = try value.int(in: 0...125) }
        if let value = try field.optional("delay_after_connect_ms") {
            transport.delayAfterConnect = try value.milliseconds()
        }
        if let value = try field.optional("delay_between_requests_ms") {
            transport.delayBetweenRequests = try value.milliseconds()
        }
        if let forbidden = try field.optional("forbidden") {
            for item in try forbidden.items() {
                try item.allowOnly(["table", "from", "to"])
                let table = try item.required("table").choice(RegisterTable.self)
                let from = try wireAddress(try item.required("from"), base: base)
                let toField = try item.required("to")
                let to = try wireAddress(toField, base: base)
                guard to >= from else { throw toField.error("must not be below `from`") }
                transport.forbidden.append(AddressRange(table: table, first: from, last: to))
            }
        }
        return (transport, base)
    }

    private static func wireAddress(_ field: YAMLField, base: Int) throws(ConfigurationError) -> Int {
        let value = try field.int()
        let wire = value - base
        if base == 1, value == 0 {
            throw field.error(
                "address 0 with address_base 1: this profile numbers registers as the manual does, from 1")
        }
        guard (0...0xFFFF).contains(wire) else {
            let hint =
                value >= 10001 ? " (write manual 4xxxx numbers without the table digit; see Devices/README.md)" : ""
            throw field.error("address \(value) is outside 0–65535 on the wire\(hint)")
        }
        return wire
    }

    private static let pointFields: Set<String> = [
        "name", "table", "address", "type", "bit", "length", "order", "scale", "offset", "decimals", "decimals_from",
        "sign_from", "unit", "unavailable", "class", "flags", "quality",
    ]

    private static func parsePoint(
        _ field: YAMLField, base: Int, defaultOrder: WordOrder
    ) throws(ConfigurationError)
        -> ProfilePoint
    {
        try field.allowOnly(pointFields)
        let table = try field.required("table").choice(RegisterTable.self)
        let typeField = try field.required("type")
        let type: PointType
        switch try typeField.string() {
        case "bool": type = .bool
        case "bit": type = .bit(try field.required("bit").int(in: 0...15))
        case "int16": type = .int16
        case "uint16": type = .uint16
        case "int32": type = .int32
        case "uint32": type = .uint32
        case "int64": type = .int64
        case "uint64": type = .uint64
        case "float32": type = .float32
        case "float64": type = .float64
        case "string": type = .string(registers: try field.required("length").int(in: 1...125))
        case let other:
            throw typeField.error(
                "unknown type \"\(other)\" (use bool, bit, int16, uint16, int32, uint32, int64, uint64, float32, float64, string)"
            )
        }
        if table.holdsBits != (type == .bool) {
            throw typeField.error(
                table.holdsBits ? "a \(table) point has type bool" : "type bool is for coil or discrete points")
        }
        var point = ProfilePoint(
            name: try field.required("name").string(), table: table,
            address: try wireAddress(try field.required("address"), base: base), type: type,
            order: try field.optional("order")?.choice(WordOrder.self) ?? defaultOrder, line: field.line)
        if let value = try field.optional("scale") {
            point.scale = try value.double(in: -1e12...1e12)
            if point.scale == 0 { throw value.error("a scale of 0 would make every value 0") }
        }
        if let value = try field.optional("offset") { point.offset = try value.double(in: -1e12...1e12) }
        if let value = try field.optional("decimals") { point.decimals = try value.int(in: 0...9) }
        point.decimalsFrom = try field.optional("decimals_from")?.string()
        point.signFrom = try field.optional("sign_from")?.string()
        point.unit = try field.optional("unit")?.string()
        if let value = try field.optional("class") { point.pointClass = try value.choice(ProfilePoint.PointClass.self) }
        if let unavailable = try field.optional("unavailable") {
            let items = unavailable.node.sequence != nil ? try unavailable.items() : [unavailable]
            for item in items {
                if let text = item.node.string, ["nan", ".nan"].contains(text.lowercased()) {
                    guard type.isFloat else { throw item.error("NaN is a sentinel for float points only") }
                    point.unavailableNaN = true
                } else {
                    guard type.isInteger else { throw item.error("integer sentinels apply to integer points") }
                    point.unavailableValues.append(Int64(try item.int()))
                }
            }
        }
        if let flags = try field.optional("flags") {
            guard type.isInteger else { throw flags.error("flags are decoded from integer registers only") }
            let bitWidth = type.width * 16
            for (name, value) in try flags.entries() {
                point.flags.append(try parseFlag(name: name, value, bitWidth: bitWidth))
            }
        }
        if let quality = try field.optional("quality") {
            try quality.allowOnly(["require", "reject", "doubt"])
            point.quality = QualityRule(
                require: try quality.optional("require")?.strings() ?? [],
                reject: try quality.optional("reject")?.strings() ?? [],
                doubt: try quality.optional("doubt")?.strings() ?? [])
        }
        return point
    }

    private static func parseFlag(
        name: String, _ field: YAMLField, bitWidth: Int
    ) throws(ConfigurationError)
        -> FlagDefinition
    {
        if field.node.scalar != nil {
            return FlagDefinition(name: name, lowBit: try field.int(in: 0...(bitWidth - 1)))
        }
        try field.allowOnly(["bit", "bits", "invert", "equals", "any"])
        var flag: FlagDefinition
        if let any = try field.optional("any") {
            let names = try any.strings()
            guard !names.isEmpty else { throw any.error("list the flags to combine") }
            return FlagDefinition(name: name, lowBit: 0, bitCount: 0, anyOf: names)
        } else if let bit = try field.optional("bit") {
            flag = FlagDefinition(name: name, lowBit: try bit.int(in: 0...(bitWidth - 1)))
        } else if let bits = try field.optional("bits") {
            let text: String
            if let single = bits.node.int { text = "\(single)" } else { text = try bits.string() }
            let parts = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let low = parts.first ?? nil, let high = parts.last ?? nil, parts.count <= 2, low <= high,
                high < bitWidth
            else { throw bits.error("expected a bit range such as 13-15 within 0–\(bitWidth - 1)") }
            flag = FlagDefinition(name: name, lowBit: low, bitCount: high - low + 1)
        } else {
            throw field.error("a flag needs `bit` or `bits`")
        }
        flag.inverted = try field.optional("invert")?.bool() ?? false
        if let equals = try field.optional("equals") { flag.equals = Int64(try equals.int()) }
        return flag
    }

    private static func parseCommand(
        name: String, _ field: YAMLField, base: Int
    ) throws(ConfigurationError)
        -> ProfileCommand
    {
        try field.allowOnly(["table", "address", "value", "values", "refused_in_motion"])
        let tableField = try field.required("table")
        let table = try tableField.choice(RegisterTable.self)
        guard table == .holding || table == .coil else {
            throw tableField.error("commands write holding registers or coils")
        }
        var values: [UInt16] = []
        let valueFields: [YAMLField]
        let list = try field.optional("values")
        if let list {
            valueFields = try list.items()
            if valueFields.isEmpty { throw list.error("a command writes at least one value") }
            if valueFields.count > 123 { throw list.error("a command writes at most 123 registers") }
        } else {
            valueFields = [try field.required("value")]
        }
        for item in valueFields {
            if table == .coil {
                if let state = item.node.bool, item.node.int == nil {
                    values.append(state ? 1 : 0)
                } else {
                    values.append(UInt16(try item.int(in: 0...1)))
                }
            } else {
                values.append(UInt16(truncatingIfNeeded: try item.int(in: -32768...65535)))
            }
        }
        return ProfileCommand(
            name: name, table: table, address: try wireAddress(try field.required("address"), base: base),
            values: values,
            refusedInMotion: try field.optional("refused_in_motion")?.bool() ?? false, listWrite: list != nil)
    }

    private static func parseVector(
        _ field: YAMLField, base: Int, profile: DeviceProfile
    ) throws(ConfigurationError)
        -> TestVector
    {
        try field.allowOnly(["name", "registers", "expect"])
        var snapshot = RegisterSnapshot()
        if let registers = try field.optional("registers") {
            for block in try registers.items() {
                try block.allowOnly(["table", "address", "values"])
                let table = try block.required("table").choice(RegisterTable.self)
                let address = try wireAddress(try block.required("address"), base: base)
                let values = try block.required("values").items()
                if table.holdsBits {
                    var bits: [Bool] = []
                    for value in values {
                        if let state = value.node.bool, value.node.int == nil {
                            bits.append(state)
                        } else {
                            bits.append(try value.int(in: 0...1) == 1)
                        }
                    }
                    snapshot.store(bits, table: table, at: address)
                } else {
                    var words: [UInt16] = []
                    for value in values { words.append(UInt16(truncatingIfNeeded: try value.int(in: -32768...65535))) }
                    snapshot.store(words, table: table, at: address)
                }
            }
        }
        let known = Set(profile.points.map(\.name)).union(profile.flags.keys)
        var expectations: [TestVector.Expectation] = []
        for (name, expected) in try field.required("expect").entries() {
            guard known.contains(name) else { throw expected.error("no point or flag named \"\(name)\"") }
            try expected.allowOnly(["value", "quality", "tolerance"])
            guard let valueField = try expected.present("value") else {
                throw expected.error("an expectation needs `value` (null for no value)")
            }
            var value: PointValue?
            if valueField.node.null != nil, valueField.node.scalar?.style == .plain {
                value = nil
            } else if let bool = valueField.node.bool, valueField.node.int == nil {
                value = .bool(bool)
            } else if valueField.node.int != nil || valueField.node.float != nil {
                let number = try valueField.double()
                value = .number(number)
            } else {
                value = .text(try valueField.string())
            }
            expectations.append(
                TestVector.Expectation(
                    point: name, value: value, quality: try expected.optional("quality")?.choice(ReadingQuality.self),
                    tolerance: try expected.optional("tolerance")?.double(in: 0...1e12), line: expected.line))
        }
        return TestVector(
            name: try field.required("name").string(), registers: snapshot, expectations: expectations, line: field.line
        )
    }

    // MARK: - Cross-checks

    private static func checkPoints(_ profile: DeviceProfile, root: YAMLField) throws(ConfigurationError) {
        let items = try root.required("points").items()
        var names: Set<String> = []
        let flags = profile.flags
        let booleans = Set(profile.points.filter(\.isBoolean).map(\.name))
        for (point, item) in zip(profile.points, items) {
            guard names.insert(point.name).inserted else {
                throw item.error("the name \"\(point.name)\" is used twice")
            }
            for flag in point.flags where !names.insert(flag.name).inserted {
                throw try item.required("flags").error("the name \"\(flag.name)\" is used twice")
            }
        }
        let planner = RequestPlanner(transport: profile.transport)
        for (point, reason) in planner.unplannable(profile.points) {
            let index = profile.points.firstIndex(of: point)!
            throw items[index].error("point \(point.name) \(reason)")
        }
        for (point, item) in zip(profile.points, items) {
            for flag in point.flags {
                for part in flag.anyOf where flags[part] == nil && !booleans.contains(part) {
                    throw try item.required("flags").error("\(flag.name): no flag named \"\(part)\" to combine")
                }
            }
            let named = point.quality.require + point.quality.reject + point.quality.doubt
            for name in named where flags[name] == nil && !booleans.contains(name) {
                throw try item.required("quality").error("no flag or bool point named \"\(name)\"")
            }
            if let sign = point.signFrom, flags[sign] == nil, !booleans.contains(sign) {
                throw try item.required("sign_from").error("no flag named \"\(sign)\"")
            }
            if let source = point.decimalsFrom, flags[source] == nil {
                throw try item.required("decimals_from").error("no field named \"\(source)\"")
            }
        }
    }
}
