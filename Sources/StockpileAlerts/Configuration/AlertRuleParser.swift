import StockpileDomain
import Foundation

/// Parses the entries of `alerts.rules`, checking every device, zone, location and point against the
/// site, and remembering the names taken so far.
struct AlertRuleParser {
    let site: SiteConfiguration
    private var names: Set<String> = Set(AlertDefaults.names)

    init(site: SiteConfiguration) {
        self.site = site
    }

    static let kinds = [
        "threshold", "rate", "offline", "stale", "bus_offline", "device_status", "ledger", "door", "material_humidity",
    ]
    static let common: Set<String> = ["name", "kind", "severity", "for", "keep_firing_for", "min_firing"]
    static let targets: Set<String> = ["device", "zone", "location"]
    static let longest: Duration = .seconds(30 * 86_400)

    /// One entry: one rule, or one per level of a threshold rule.
    mutating func parse(_ item: YAMLField) throws(ConfigurationError) -> [AlertRule] {
        let kindField = try item.required("kind")
        let kind = try kindField.string()
        let specific: Set<String>
        switch kind {
        case "threshold": specific = Self.targets.union(["point", "above", "below", "clear_margin", "levels"])
        case "rate":
            specific = Self.targets.union([
                "point", "rising_faster_than", "falling_faster_than", "window", "clear_margin",
            ])
        case "offline": specific = ["device", "zone"]
        case "stale": specific = Self.targets.union(["point"])
        case "bus_offline": specific = ["bus"]
        case "device_status": specific = Self.targets.union(["flags", "bad_points"])
        case "ledger": specific = ["events", "location", "zone"]
        case "door": specific = ["device", "point", "open_when", "open_longer_than", "schedule"]
        case "material_humidity": specific = ["device", "zone", "point", "clear_margin"]
        default:
            throw kindField.error("unknown rule kind \"\(kind)\" (use \(Self.kinds.joined(separator: ", ")))")
        }
        try item.allowOnly(Self.common.union(specific))
        let nameField = try item.required("name")
        let name = try Self.identifier(nameField)
        if AlertDefaults.names.contains(name) {
            throw nameField.error("\"\(name)\" is a default rule: change it under alerts.defaults.\(name)")
        }
        guard names.insert(name).inserted else { throw nameField.error("the rule name \"\(name)\" is used twice") }
        var rule = AlertRule(name: name, kind: .offline(devices: []), severity: .warning, line: item.line)
        try Self.applyCommon(item, to: &rule)
        switch kind {
        case "threshold": return try thresholds(item, base: rule)
        case "rate": rule.kind = try rate(item)
        case "offline":
            rule.kind = .offline(devices: try devices(item, point: nil, everyIfNone: true))
        case "stale":
            let pointField = try item.required("point")
            let point = try pointField.string()
            rule.kind = .stale(point: point, devices: try devices(item, point: (point, pointField)))
        case "bus_offline": rule.kind = .busOffline(buses: try buses(item))
        case "device_status": rule.kind = try deviceStatus(item)
        case "ledger": rule.kind = try ledger(item)
        case "door": rule.kind = .door(try door(item))
        default:
            let pointField = try item.optional("point")
            let point = try pointField?.string() ?? AlertDefaults.humidityPoint
            let margin = try item.optional("clear_margin").map { (field) throws(ConfigurationError) in
                try Self.margin(field)
            }
            let watched = try devices(item, point: (point, pointField ?? item), everyIfNone: true)
            rule.kind = .materialHumidity(point: point, clearMargin: margin ?? 3, devices: watched)
        }
        return [rule]
    }

    /// `severity`, `for`, `keep_firing_for`, `min_firing`, where given.
    static func applyCommon(_ item: YAMLField, to rule: inout AlertRule) throws(ConfigurationError) {
        if let field = try item.optional("severity") { rule.severity = try field.choice(AlertSeverity.self) }
        if let field = try item.optional("for") { rule.timing.pendingFor = try field.duration(in: .zero...longest) }
        if let field = try item.optional("keep_firing_for") {
            rule.timing.keepFiringFor = try field.duration(in: .zero...longest)
        }
        if let field = try item.optional("min_firing") {
            rule.timing.minimumFiring = try field.duration(in: .zero...longest)
        }
    }

    // MARK: - Kinds

    /// `above`/`below` with `clear_margin`, or `levels: [{above|below, clear_margin, severity, for, …}]`.
    private func thresholds(_ item: YAMLField, base: AlertRule) throws(ConfigurationError) -> [AlertRule] {
        let pointField = try item.required("point")
        let point = try pointField.string()
        let watched = try devices(item, point: (point, pointField))
        var rules: [AlertRule] = []
        if let levels = try item.optional("levels") {
            for key in ["above", "below", "clear_margin"] {
                if let field = try item.optional(key) {
                    throw field.error("give `\(key)` inside each level, not beside `levels`")
                }
            }
            var seen: Set<String> = []
            for entry in try levels.items() {
                try entry.allowOnly([
                    "above", "below", "clear_margin", "severity", "for", "keep_firing_for", "min_firing",
                ])
                var rule = base
                try Self.applyCommon(entry, to: &rule)
                let level = try Self.level(entry)
                guard seen.insert(level.text).inserted else {
                    throw entry.error("the level \(level.text) is given twice")
                }
                rule.kind = .threshold(point: point, level: level, devices: watched)
                rules.append(rule)
            }
            if rules.isEmpty { throw levels.error("give at least one level") }
        } else {
            var rule = base
            rule.kind = .threshold(point: point, level: try Self.level(item), devices: watched)
            rules.append(rule)
        }
        return rules
    }

    /// `above: N` or `below: N` (exactly one), with an optional `clear_margin`.
    static func level(_ item: YAMLField) throws(ConfigurationError) -> ThresholdLevel {
        let above = try item.optional("above")
        let below = try item.optional("below")
        let margin =
            try item.optional("clear_margin").map { (field) throws(ConfigurationError) in try Self.margin(field) } ?? 0
        switch (above, below) {
        case (let field?, nil): return ThresholdLevel(.above, try field.double(), clearMargin: margin)
        case (nil, let field?): return ThresholdLevel(.below, try field.double(), clearMargin: margin)
        case (_?, let field?): throw field.error("give either `above` or `below`, not both")
        case (nil, nil):
            throw ConfigurationError(
                file: item.file, line: item.line, field: item.path, message: "give `above` or `below`")
        }
    }

    /// A clearing margin: a finite number ≥ 0.
    static func margin(_ field: YAMLField) throws(ConfigurationError) -> Double {
        try field.double(in: 0...Double.greatestFiniteMagnitude)
    }

    /// `rising_faster_than: N` or `falling_faster_than: N` per hour, over `window` (default 1h).
    private func rate(_ item: YAMLField) throws(ConfigurationError) -> AlertRule.Kind {
        let pointField = try item.optional("point")
        if pointField == nil, try item.optional("location") == nil {
            throw ConfigurationError(
                file: item.file, line: item.line, field: item.path.isEmpty ? "point" : "\(item.path).point",
                message: "required field is missing (only a `location` rule defaults to the scale's `gross`)")
        }
        let point = try pointField?.string() ?? "gross"
        let watched = try devices(item, point: (point, pointField ?? item))
        let rising = try item.optional("rising_faster_than")
        let falling = try item.optional("falling_faster_than")
        let margin =
            try item.optional("clear_margin").map { (field) throws(ConfigurationError) in try Self.margin(field) } ?? 0
        let level: ThresholdLevel
        switch (rising, falling) {
        case (let field?, nil): level = ThresholdLevel(.above, try Self.positive(field), clearMargin: margin)
        case (nil, let field?): level = ThresholdLevel(.below, -(try Self.positive(field)), clearMargin: margin)
        case (_?, let field?): throw field.error("give either `rising_faster_than` or `falling_faster_than`, not both")
        case (nil, nil):
            throw ConfigurationError(
                file: item.file, line: item.line, field: item.path,
                message: "give `rising_faster_than` or `falling_faster_than` (units per hour)")
        }
        let window =
            try item.optional("window")?.duration(in: .seconds(60)...Duration.seconds(7 * 86_400)) ?? .seconds(3600)
        return .rate(point: point, level: level, window: window, devices: watched)
    }

    private func buses(_ item: YAMLField) throws(ConfigurationError) -> [String] {
        guard let field = try item.optional("bus") else { return site.buses.map(\.name) }
        var result: [String] = []
        for name in try field.strings() {
            guard site.bus(named: name) != nil else {
                throw field.error(
                    "no bus named \"\(name)\" (declared: \(site.buses.map(\.name).joined(separator: ", ")))")
            }
            result.append(name)
        }
        return result
    }

    /// `flags: [overload, …]` and/or `bad_points: [dose_rate, …]`, each declared by some watched device.
    private func deviceStatus(_ item: YAMLField) throws(ConfigurationError) -> AlertRule.Kind {
        let flagsField = try item.optional("flags")
        let badField = try item.optional("bad_points")
        guard flagsField != nil || badField != nil else {
            throw item.error(
                "give `flags` (status flags of the profile) or `bad_points` (points whose bad quality is a fault)")
        }
        let watched = try devices(item, point: nil, everyIfNone: true)
        let profiles = watched.compactMap { site.device(named: $0)?.profile }
        var flags: Set<String> = []
        if let flagsField {
            for name in try flagsField.strings() {
                guard profiles.contains(where: { $0.flags[name] != nil }) else {
                    throw flagsField.error("no watched device's profile declares the flag \"\(name)\"")
                }
                flags.insert(name)
            }
        }
        var bad: Set<String> = []
        if let badField {
            for name in try badField.strings() {
                guard profiles.contains(where: { $0.point(named: name) != nil }) else {
                    throw badField.error("no watched device's profile has the point \"\(name)\"")
                }
                bad.insert(name)
            }
        }
        return .deviceStatus(flags: flags, badPoints: bad, devices: watched)
    }

    /// `events: [unrecorded_movement, …]`, optionally at a `location` or in a `zone`.
    private func ledger(_ item: YAMLField) throws(ConfigurationError) -> AlertRule.Kind {
        let eventsField = try item.required("events")
        var events: Set<LedgerEventKind> = []
        for entry in try eventsField.node.sequence != nil ? eventsField.items() : [eventsField] {
            events.insert(try entry.choice(LedgerEventKind.self))
        }
        if events.isEmpty { throw eventsField.error("name at least one event") }
        var locations: Set<String> = []
        let known = site.ledgerLocations
        if let field = try item.optional("location") {
            let name = try field.string()
            guard known.contains(where: { $0.name == name }) else {
                throw field.error("no location named \"\(name)\" (known: \(known.map(\.name).joined(separator: ", ")))")
            }
            locations = [name]
            if let zone = try item.optional("zone") { throw zone.error("give `location` or `zone`, not both") }
        } else if let field = try item.optional("zone") {
            let zone = try field.string()
            locations = Set(known.filter { $0.zone == zone }.map(\.name))
            if locations.isEmpty { throw field.error("no location is in the zone \"\(zone)\"") }
        }
        return .ledger(events: events, locations: locations)
    }

    /// `device`, `point` (a bit input), `open_when`, and `open_longer_than` and/or `schedule`.
    private func door(_ item: YAMLField) throws(ConfigurationError) -> AlertRule.DoorRule {
        let deviceField = try item.required("device")
        let name = try deviceField.string()
        guard let device = site.device(named: name) else {
            throw deviceField.error("no device named \"\(name)\" in the site")
        }
        let pointField = try item.required("point")
        let pointName = try pointField.string()
        guard let point = device.profile.point(named: pointName) else {
            throw pointField.error("\(name)'s profile has no point named \"\(pointName)\"")
        }
        guard point.table.holdsBits else {
            throw pointField.error("\"\(pointName)\" is a register, not a contact input (a discrete input or coil)")
        }
        var rule = AlertRule.DoorRule(device: name, point: pointName)
        if let field = try item.optional("open_when") { rule.openWhen = try field.bool() }
        if let field = try item.optional("open_longer_than") {
            rule.openLongerThan = try field.duration(in: .seconds(1)...Self.longest)
        }
        if let field = try item.optional("schedule") { rule.schedule = try Self.schedule(field) }
        if rule.openLongerThan == nil, rule.schedule == nil {
            throw item.error("give `open_longer_than` or a `schedule` (or both)")
        }
        return rule
    }

    /// `{utc_offset: "+02:00", open: [{days: [mon, …], from: "07:00", to: "18:00"}]}`.
    static func schedule(_ field: YAMLField) throws(ConfigurationError) -> DoorSchedule {
        try field.allowOnly(["utc_offset", "open"])
        var offset = 0
        if let offsetField = try field.optional("utc_offset") {
            let text = try offsetField.string()
            guard let value = utcOffset(text) else {
                throw offsetField.error("expected an offset such as +02:00, -05:00 or Z, found \"\(text)\"")
            }
            offset = value
        }
        var windows: [DoorSchedule.Window] = []
        for entry in try field.required("open").items() {
            try entry.allowOnly(["days", "from", "to"])
            let daysField = try entry.required("days")
            var days: Set<DoorSchedule.Weekday> = []
            for day in try daysField.node.sequence != nil ? daysField.items() : [daysField] {
                days.insert(try day.choice(DoorSchedule.Weekday.self))
            }
            let fromField = try entry.required("from")
            let toField = try entry.required("to")
            let start = try clock(fromField, allowingEnd: false)
            let end = try clock(toField, allowingEnd: true)
            guard end > start else {
                throw toField.error("must be later than `from` (a window does not cross midnight)")
            }
            windows.append(DoorSchedule.Window(days: days, start: start, end: end))
        }
        return DoorSchedule(utcOffsetSeconds: offset, windows: windows)
    }

    /// `HH:MM`, as minutes after midnight; `24:00` only as an end.
    private static func clock(_ field: YAMLField, allowingEnd: Bool) throws(ConfigurationError) -> Int {
        // YAML 1.1 reads an unquoted 07:30 as a base-60 number; take the text as written.
        let text = field.node.scalar?.string ?? ""
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0...59).contains(minutes), (0...24).contains(hours), parts[0].count <= 2
        else { throw field.error("expected a time of day such as 07:00, found \"\(text)\"") }
        let value = hours * 60 + minutes
        guard value < 1440 || (allowingEnd && value == 1440) else {
            throw field.error("\(text) is past the end of the day (24:00 is the latest end)")
        }
        return value
    }

    /// `+HH:MM`, `-HH:MM` or `Z`, as seconds east of UTC.
    static func utcOffset(_ text: String) -> Int? {
        if text == "Z" || text == "UTC" { return 0 }
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let parts = text.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]),
            let minutes = Int(parts[1]), hours <= 14, minutes < 60
        else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    // MARK: - Targets

    /// The devices a rule watches: `device`, every device of a `zone`, the scale of a `location`, or
    /// (when none is given and `everyIfNone`) every device of the site. With a point, a named device
    /// must have it, and a zone or the whole site must have at least one device that has it; those
    /// that do not are left out.
    private func devices(
        _ item: YAMLField, point: (name: String, field: YAMLField)?, everyIfNone: Bool = false
    ) throws(ConfigurationError) -> [String] {
        var given: [(String, YAMLField)] = []
        for key in ["device", "zone", "location"] {
            if let field = try item.present(key) { given.append((key, field)) }
        }
        if given.count > 1 { throw given[1].1.error("give one of `device`, `zone` or `location`, not several") }
        let candidates: [SiteConfiguration.Device]
        let scope: String
        switch given.first {
        case ("device", let field)?:
            let name = try field.string()
            guard let device = site.device(named: name) else {
                throw field.error("no device named \"\(name)\" in the site")
            }
            if let point, device.profile.point(named: point.name) == nil {
                throw point.field.error("\(name)'s profile has no point named \"\(point.name)\"")
            }
            return [name]
        case ("zone", let field)?:
            let zone = try field.string()
            candidates = site.devices(inZone: zone)
            guard !candidates.isEmpty else {
                throw field.error("no device is in the zone \"\(zone)\" (zones: \(site.zones.joined(separator: ", ")))")
            }
            scope = "the zone \(zone)"
        case (_, let field)?:
            let name = try field.string()
            guard let device = site.devices.first(where: { $0.location?.name == name }) else {
                let known = site.locations.map(\.name).joined(separator: ", ")
                throw field.error("no scale weighs a location named \"\(name)\" (scale locations: \(known))")
            }
            if let point, device.profile.point(named: point.name) == nil {
                throw point.field.error("\(device.name)'s profile has no point named \"\(point.name)\"")
            }
            return [device.name]
        case nil:
            guard everyIfNone || point != nil else {
                throw item.error("give a `device`, `zone` or `location`")
            }
            candidates = site.devices
            scope = "the site"
        }
        guard let point else { return candidates.map(\.name) }
        let having = candidates.filter { $0.profile.point(named: point.name) != nil }
        if having.isEmpty { throw point.field.error("no device in \(scope) has a point named \"\(point.name)\"") }
        return having.map(\.name)
    }

    // MARK: - Scalars

    /// A number greater than zero.
    static func positive(_ field: YAMLField) throws(ConfigurationError) -> Double {
        let value = try field.double()
        guard value > 0 else { throw field.error("must be greater than 0") }
        return value
    }

    /// A rule or receiver name: letters, digits and `_`, `-`, `.`, starting with a letter (64 at most).
    static func identifier(_ field: YAMLField) throws(ConfigurationError) -> String {
        let value = try field.string()
        let allowed = value.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
        }
        guard let first = value.unicodeScalars.first, first.isASCII, CharacterSet.letters.contains(first), allowed,
            value.count <= 64
        else {
            throw field.error(
                "\"\(value)\" is not a usable name (up to 64 letters, digits, '.', '_' or '-', starting with a letter)")
        }
        return value
    }
}
