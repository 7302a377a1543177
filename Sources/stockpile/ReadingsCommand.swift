import ArgumentParser
import DeviceAccess
import Foundation
import StockpileDomain
import StockpileStore

/// `stockpile readings --device D --point P --since 1h [--csv|--json]`: what the store holds.
struct ReadingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readings",
        abstract: "Print the stored readings of a device (one point or all), oldest first.",
        discussion: """
            Reads the store while the agent writes it. Times are UTC. A reading without a value
            (offline, bad) prints an empty value: no value was read, and none is made up.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Device name, as in the site file.")
    var device: String

    @Option(help: "Point name, as in the device's profile (default: every point).")
    var point: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Start: a duration ago (1h, 30m, 2d), an ISO 8601 time, or a date (that day's 00:00 UTC). "
                + "Default: 1h, or all time with --last.",
            valueName: "WHEN"))
    var since: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("End (exclusive): a duration ago, an ISO 8601 time or a date.", valueName: "WHEN"))
    var until: String?

    @Option(
        parsing: .unconditional, help: "At most this many readings, 1–10000000.",
        transform: OptionValue.int(in: 1...10_000_000))
    var limit: Int?

    @Option(
        parsing: .unconditional, help: "Only the newest N readings (still printed oldest first), 1–10000000.",
        transform: OptionValue.int(in: 1...10_000_000))
    var last: Int?

    @Flag(help: "Comma-separated values with a header line.")
    var csv = false

    @Flag(help: "A JSON array of readings.")
    var json = false

    func validate() throws {
        if csv, json { throw ValidationError("choose one of --csv and --json") }
        if limit != nil, last != nil { throw ValidationError("choose one of --limit (oldest N) and --last (newest N)") }
        if let since, TimeArgument.parse(since) == nil {
            throw ValidationError("--since \(since): a duration (1h), an ISO 8601 time or a date (2026-11-30)")
        }
        if let until, TimeArgument.parse(until) == nil {
            throw ValidationError("--until \(until): a duration (1h), an ISO 8601 time or a date (2026-11-30)")
        }
    }

    func run() async throws {
        let site = try storeOptions.loadSite()
        let database = try storeOptions.open(site: site)
        try await checkNames(site: site, database: database)
        let now = Date()
        let readings: [Reading]
        do {
            let start = since.flatMap { TimeArgument.parse($0, now: now) } ?? (last == nil ? now - 3600 : .distantPast)
            readings = try await database.readings(
                device: device, point: point, since: start, until: until.flatMap { TimeArgument.parse($0, now: now) },
                limit: last ?? limit, newest: last != nil)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        let units = ReadingExport.units(site?.device(named: device))
        if json {
            Output.line(try ReadingExport.json(readings, units: units))
        } else if csv {
            Output.line(ReadingExport.csv(readings, units: units), terminated: false)
        } else if readings.isEmpty {
            Output.line("no readings of \(device)\(point.map { " \($0)" } ?? "") in that period")
        } else {
            var table = TextTable(header: ["time (UTC)", "point", "value", "unit", "quality"])
            for reading in readings {
                table.rows.append([
                    TimeArgument.format(reading.time), reading.point, reading.value?.description ?? "",
                    units[reading.point] ?? "", reading.quality.rawValue,
                ])
            }
            Output.line(table.render())
        }
    }
}

extension ReadingsCommand {
    /// An unknown device or point is a mistake to name, with the known ones, not an empty result.
    /// Known: the site's devices and their profiles' points, and every series the store holds.
    func checkNames(site: SiteConfiguration?, database: AppDatabase) async throws {
        let stored: [String: [String]]
        do {
            stored = try await database.seriesNames()
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        var known = stored.mapValues(Set.init)
        for siteDevice in site?.devices ?? [] {
            let points = siteDevice.profile.points.flatMap { [$0.name] + $0.flags.map(\.name) }
            known[siteDevice.name, default: []].formUnion(points)
        }
        guard let points = known[device] else {
            let names = known.keys.sorted()
            throw CommandFailure.exit(
                "--device \(device): no such device"
                    + (names.isEmpty
                        ? " (the store holds no readings yet)" : " (known: \(names.joined(separator: ", ")))"))
        }
        if let point, !points.contains(point) {
            throw CommandFailure.exit(
                "--point \(point): \(device) has no such point (known: \(points.sorted().joined(separator: ", ")))")
        }
    }
}

/// Readings as CSV and JSON, for spreadsheets and scripts.
enum ReadingExport {
    /// Each point's unit, from the device's profile (the store keeps values, the profile their units).
    static func units(_ device: SiteConfiguration.Device?) -> [String: String] {
        var units: [String: String] = [:]
        for point in device?.profile.points ?? [] { units[point.name] = point.unit }
        return units
    }

    static func csv(_ readings: [Reading], units: [String: String] = [:]) -> String {
        var text = "time,device,point,value,unit,quality\n"
        for reading in readings {
            let fields = [
                TimeArgument.format(reading.time), reading.device, reading.point, reading.value?.description ?? "",
                units[reading.point] ?? "", reading.quality.rawValue,
            ]
            text += fields.map(field).joined(separator: ",") + "\n"
        }
        return text
    }

    /// RFC 4180: quoted when it holds a comma, quote or line break.
    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    struct Row: Encodable {
        var time: String
        var device: String
        var point: String
        var value: Value?
        var unit: String?
        var quality: String

        enum Value: Encodable {
            case number(Double), bool(Bool), text(String)
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                // A non-finite number stored before values were checked is no value: null, never a failed output.
                case .number(let value): value.isFinite ? try container.encode(value) : try container.encodeNil()
                case .bool(let value): try container.encode(value)
                case .text(let value): try container.encode(value)
                }
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(time, forKey: .time)
            try container.encode(device, forKey: .device)
            try container.encode(point, forKey: .point)
            // An explicit null: no value was read.
            try container.encode(value, forKey: .value)
            try container.encode(unit, forKey: .unit)
            try container.encode(quality, forKey: .quality)
        }

        enum CodingKeys: String, CodingKey { case time, device, point, value, unit, quality }
    }

    static func json(_ readings: [Reading], units: [String: String] = [:]) throws -> String {
        let rows = readings.map { reading in
            Row(
                time: TimeArgument.format(reading.time), device: reading.device, point: reading.point,
                value: reading.value.map { value in
                    switch value {
                    case .number(let number): .number(number)
                    case .bool(let bool): .bool(bool)
                    case .text(let text): .text(text)
                    }
                }, unit: units[reading.point], quality: reading.quality.rawValue)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }
}
