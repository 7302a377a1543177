import ArgumentParser
import Foundation
import StockpileAlerts
import StockpileDomain

/// `stockpile config`: site files.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a site file.",
        subcommands: [ConfigCheckCommand.self])
}

/// `stockpile config check SITE.yaml`: load a site file as the agent would, and summarize it.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a site file and print a summary: buses, devices, locations, zones, writes, alerts.",
        discussion: """
            The format is documented in docs/site-file.md. On a mistake, prints one line
            (FILE:LINE: field: message) and exits 1. Every profile the site uses also has its test
            vectors run through the decoder; a vector that does not decode as its profile says is
            printed at its line and the check exits 1. The alerts section (docs/alerts.md) is checked
            against the site's devices and profiles the same way.
            """)

    @Argument(
        help: ArgumentHelp("Site file.", valueName: "SITE.yaml"),
        transform: OptionValue.path)
    var site: String

    @Option(
        name: .customLong("devices"), help: ArgumentHelp("Extra directory of device profiles.", valueName: "DIR"),
        transform: OptionValue.directory)
    var devices: [String] = []

    func run() throws {
        let configuration = try CommandFailure.loadSite(site, devices: devices)
        let alerts: AlertConfiguration
        do {
            alerts = try AlertConfigurationParser.load(site: configuration)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
        // Each profile once, in the order the site first uses it.
        var seen: Set<String> = []
        let profiles = configuration.devices.map(\.profile).filter { seen.insert($0.file).inserted }
        let failures = profiles.flatMap { TestVectorCheck(profile: $0).failures() }
        guard failures.isEmpty else {
            throw CommandFailure.exit(
                failures.map(\.description).joined(separator: "\n")
                    + "\n\(failures.count) test vector expectation(s) failed: the decoder does not read these profiles "
                    + "as their authors wrote")
        }
        print(SiteSummary.lines(configuration, beacon: alerts.beacon).joined(separator: "\n"))
        print(SiteSummary.alerts(alerts))
        let vectors = profiles.map(\.vectors.count).reduce(0, +)
        let counted = profiles.count == 1 ? "1 profile" : "\(profiles.count) profiles"
        print("test vectors: \(vectors) in \(counted), each decoded as its profile says")
    }
}

/// The few lines `config check` prints: enough to see the file says what its author meant.
enum SiteSummary {
    /// `beacon`: the alerts' beacon coil, a write the agent makes besides the devices' enabled commands.
    static func lines(_ site: SiteConfiguration, beacon: AlertConfiguration.Beacon?) -> [String] {
        let store = site.store
        var lines = [
            "site \(site.id): \(site.name)",
            "data \(site.dataDirectory) (raw readings \(store.rawRetentionDays) d, aggregates "
                + "\(store.aggregateRetentionDays) d, flush every \(DurationText.describe(store.flushInterval)))",
            "\(count(site.buses.count, "bus", "buses")), \(count(site.devices.count, "device", "devices"))",
        ]
        for bus in site.buses {
            let devices = site.devices(on: bus.name)
            let listed = devices.map { "\($0.name)@\($0.unit)" }.joined(separator: ", ")
            lines.append("  \(bus.name) (\(bus)): \(count(devices.count, "device", "devices")): \(listed)")
        }
        let scales = site.devices.filter { $0.location != nil }
        lines.append("locations: \(scales.isEmpty ? "none" : "\(scales.count)")")
        for scale in scales {
            guard let location = scale.location else { continue }
            let unit = scale.profile.point(named: "gross")?.unit.map { " \($0)" } ?? ""
            let capacity = number(location.capacity) + unit
            let division = number(location.division) + unit
            let accuracy = location.accuracyClass.rawValue
            lines.append("  \(location.name): \(scale.name), \(capacity) × \(division), class \(accuracy)")
        }
        lines.append("zones: \(site.zones.isEmpty ? "none" : "\(site.zones.count)")")
        for zone in site.zones {
            lines.append("  \(zone): \(site.devices(inZone: zone).map(\.name).joined(separator: ", "))")
        }
        // Every write the agent may make, so that "none" is never said of a site that sets a beacon.
        var writes = site.writableDevices.map { "\($0.name) (\($0.commands.map(\.name).joined(separator: ", ")))" }
        if let beacon {
            writes.append("\(beacon.device) (coil \(beacon.coil) at \(beacon.address), the alerts' beacon)")
        }
        lines.append("writes: " + (writes.isEmpty ? "none enabled" : writes.joined(separator: "; ")))
        let http = site.http
        let host = http.address.contains(":") ? "[\(http.address)]" : http.address
        var served =
            "http: \(host):\(http.port) (\(http.bindsLoopbackOnly ? "this machine only" : "reachable from others"), "
        served += http.tls != nil ? "TLS)" : http.bindsLoopbackOnly ? "plain HTTP)" : "plain HTTP on purpose)"
        served += ", " + count(http.tokens.count, "token", "tokens")
        if !http.tokens.isEmpty {
            served += " (" + http.tokens.map { "\($0.name) \($0.role.rawValue)" }.joined(separator: ", ") + ")"
        }
        lines.append(served)
        return lines
    }

    /// `alerts: 7 rules (5 defaults), 2 receivers besides the log (control-room, gsm), beacon doors-io.beacon`.
    static func alerts(_ alerts: AlertConfiguration) -> String {
        let defaults = alerts.rules.filter(\.isDefault).count
        let receivers = alerts.receivers.filter { $0.name != AlertReceiver.log.name }.map(\.name)
        var line = "alerts: \(count(alerts.rules.count, "rule", "rules")) (\(defaults) of them defaults), "
        if receivers.isEmpty {
            line += "no receiver besides the log"
        } else {
            line += count(receivers.count, "receiver", "receivers")
            line += " besides the log (\(receivers.joined(separator: ", ")))"
        }
        if let beacon = alerts.beacon { line += ", beacon \(beacon.device).\(beacon.coil)" }
        return line
    }

    /// `1 device`, `3 devices`.
    private static func count(_ count: Int, _ one: String, _ many: String) -> String {
        "\(count) \(count == 1 ? one : many)"
    }

    /// 5000, 0.5: a number as a person writes it.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
