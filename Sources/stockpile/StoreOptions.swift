import ArgumentParser
import Foundation
import StockpileAgent
import StockpileDomain
import StockpileStore

/// Which store a reading command opens: the site's, or one named directly. Read-only, so it works
/// while the agent writes.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Site file: its data_directory holds the store.", valueName: "SITE.yaml"),
        transform: OptionValue.path)
    var site: String?

    @Option(
        name: .customLong("data-dir"), help: ArgumentHelp("Data directory (overrides the site's).", valueName: "DIR"),
        transform: OptionValue.path)
    var dataDirectory: String?

    @Option(
        help: ArgumentHelp("The store file itself.", valueName: "PATH"),
        transform: OptionValue.path)
    var store: String?

    @Option(
        name: .customLong("devices"), help: ArgumentHelp("Extra directory of device profiles.", valueName: "DIR"),
        transform: OptionValue.directory)
    var devices: [String] = []

    /// Where an installed agent's site file lives (README, "Installing the agent").
    static let installedSite = "/etc/stockpile/site.yaml"

    /// The site file named, or the installed one when nothing else names the store.
    var sitePath: String? {
        if let site { return site }
        if dataDirectory == nil, store == nil, FileManager.default.fileExists(atPath: Self.installedSite) {
            return Self.installedSite
        }
        return nil
    }

    func validate() throws {
        if sitePath == nil, dataDirectory == nil, store == nil {
            throw ValidationError(
                "name the store: --site SITE.yaml, --data-dir DIR or --store PATH (\(Self.installedSite) when installed)"
            )
        }
    }

    /// The site, when one was named.
    func loadSite() throws -> SiteConfiguration? {
        guard let site = sitePath else { return nil }
        return try CommandFailure.loadSite(site, devices: devices)
    }

    /// The store file these options name.
    func path(site configuration: SiteConfiguration?) -> String {
        if let store { return store }
        if let configuration { return SiteStore.path(for: configuration, dataDirectory: dataDirectory) }
        return URL(fileURLWithPath: dataDirectory ?? ".").appendingPathComponent(SiteStore.fileName).path
    }

    /// The store, opened for writing (created and migrated if needed): the ledger commands that append.
    func openForWriting(site configuration: SiteConfiguration?) throws -> AppDatabase {
        let path = path(site: configuration)
        do {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            return try AppDatabase.open(path: path)
        } catch {
            throw CommandFailure.exit("cannot open the store at \(path): \(error)")
        }
    }

    /// The site file, which the ledger commands need for its locations.
    func requireSite() throws -> SiteConfiguration {
        guard let site = try loadSite() else {
            throw CommandFailure.exit("the ledger needs the site file for its locations: --site SITE.yaml")
        }
        return site
    }

    /// The store, opened read-only.
    func open(site configuration: SiteConfiguration?) throws -> AppDatabase {
        let path = path(site: configuration)
        do {
            return try AppDatabase.openReadOnly(path: path)
        } catch {
            throw CommandFailure.exit("\(error)")
        }
    }
}

/// `1h`, `30m`, `2d` ago, an ISO 8601 instant (`2026-11-30T05:00:00Z`), or a date (`2026-11-30`:
/// that day's 00:00 UTC).
enum TimeArgument {
    static func parse(_ text: String, now: Date = Date()) -> Date? {
        if let duration = DurationText.parse(text) {
            return now.addingTimeInterval(-duration.seconds)
        }
        if text.count == 10 {
            let day = ISO8601DateFormatter()
            day.formatOptions = [.withFullDate]
            day.timeZone = TimeZone(identifier: "UTC")
            if let date = day.date(from: text) { return date }
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `2026-11-30T05:00:00.123Z`: UTC to the millisecond, as the store keeps it.
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
