import ArgumentParser
import Foundation
import StockpileDomain
import StockpileLedger
import StockpileStore

/// `stockpile reconcile`: book against physical for every location, as of an instant.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Reconcile each location's book with its scale or count, within the scale's legal tolerance.",
        discussion: """
            The same store and --at give byte-identical output in every format; each carries the SHA-256
            of its canonical content, which `stockpile reconcile verify FILE` recomputes.
            """,
        subcommands: [Report.self, VerifyReport.self], defaultSubcommand: Report.self)

    /// `stockpile reconcile [options]`: the report itself (the default subcommand).
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report", abstract: "Print or write the reconciliation report (the default).")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The instant: ISO 8601 or a duration ago (default: now).", valueName: "T"))
        var at: String?

        @Option(help: ArgumentHelp("Only this location.", valueName: "L"))
        var location: String?

        @Option(help: ArgumentHelp("Readings taken from this long before the instant.", valueName: "DURATION"))
        var window: String = "5m"

        @Option(help: "table, csv, json or html.")
        var format: String = "table"

        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "FILE"))
        var out: String?

        @Option(
            parsing: .upToNextOption,
            help: ArgumentHelp(
                "Instead of a report: weight changes the ledger does not explain between two instants (stored).",
                valueName: "T1 T2"))
        var between: [String] = []

        func run() async throws {
            if !between.isEmpty { return try await scan() }
            guard let format = ReportRenderer.Format(rawValue: format) else {
                throw CommandFailure.exit("--format: \"\(self.format)\" is not one of table, csv, json, html")
            }
            guard let window = DurationText.parse(window), window > .zero, window <= .seconds(86_400) else {
                throw CommandFailure.exit("--window: \"\(self.window)\" is not a duration from 1s to 1d (5m, 30s)")
            }
            let site = try storeOptions.requireSite()
            if let location, !site.ledgerLocations.contains(where: { $0.name == location }) {
                throw CommandFailure.exit("--location: no location \(location) in \(site.file)")
            }
            let instant = try InstantOption.parse(at, option: "--at")
            let database = try storeOptions.open(site: site)
            let report = try await ReconciliationBuilder.build(
                site: site, database: database, at: instant, window: window, location: location)
            try OutputFile.write(try ReportRenderer.render(report, as: format), to: out)
        }

        /// `--between T1 T2`: the movement events of the span, as a table or JSON.
        func scan() async throws {
            guard between.count == 2 else {
                throw CommandFailure.exit("--between: give two instants, T1 T2 (found \(between.count))")
            }
            let from = try InstantOption.parse(between[0], option: "--between")
            let to = try InstantOption.parse(between[1], option: "--between")
            guard from < to else { throw CommandFailure.exit("--between: T1 must come before T2") }
            guard format == "table" || format == "json" else {
                throw CommandFailure.exit("--format: --between prints table or json, not \(format)")
            }
            let site = try storeOptions.requireSite()
            if let location, !site.ledgerLocations.contains(where: { $0.name == location }) {
                throw CommandFailure.exit("--location: no location \(location) in \(site.file)")
            }
            let events = try await MovementScan.run(
                site: site, database: try storeOptions.openForWriting(site: site), from: from, to: to,
                location: location)
            if format == "json" {
                let objects: [[String: Any]] = events.map { stored in
                    let event = stored.event
                    return [
                        "kind": event.kind.rawValue, "location": event.location, "device": event.device,
                        "start": UTCTimestamp.text(event.start), "end": UTCTimestamp.text(event.end),
                        "change": event.changeKilograms, "level_before": event.levelBefore,
                        "level_after": event.levelAfter, "tolerance": event.toleranceKilograms, "unit": "kg",
                        "expected_change": event.expectedKilograms, "readings": event.readings,
                        "humidity_hours_above": event.humidityHoursAbove ?? NSNull(),
                        "cleared_by": stored.clearedBy ?? NSNull(),
                        "cleared_at": stored.clearedAt.map(UTCTimestamp.text) ?? NSNull(),
                    ]
                }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .prettyPrinted])
                try OutputFile.write(String(decoding: data, as: UTF8.self) + "\n", to: out)
                return
            }
            var rows = [["start", "location", "kind", "change kg", "tolerance kg", "expected kg", "state"]]
            rows += events.map { stored in
                let event = stored.event
                let state =
                    stored.clearedBy.map { "cleared by \($0)" } ?? (stored.clearedAt == nil ? "open" : "cleared")
                return [
                    UTCTimestamp.text(event.start), event.location, event.kind.rawValue,
                    Numbers.text(event.changeKilograms), "±" + Numbers.text(event.toleranceKilograms),
                    Numbers.text(event.expectedKilograms), state,
                ]
            }
            let header =
                "Weight changes the ledger does not explain, \(UTCTimestamp.text(from)) – \(UTCTimestamp.text(to))\n"
            try OutputFile.write(header + Numbers.aligned(rows, rightAligned: [3, 4, 5]), to: out)
        }
    }

    struct VerifyReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check a report file: its SHA-256 against its content, and its text against that content.",
            discussion: """
                JSON and HTML reports carry their content and are checked on their own. With --site the
                report is also made again from the store for the same instant and window
                and must be identical: the only check for table and CSV reports, which carry only the hash.
                """)

        @Option(
            help: ArgumentHelp("Site file: make the report again from its store and compare.", valueName: "SITE.yaml"))
        var site: String?

        @Option(
            name: .customLong("devices"), help: ArgumentHelp("Extra directory of device profiles.", valueName: "DIR"))
        var devices: [String] = []

        @Argument(help: ArgumentHelp("The report file.", valueName: "FILE"))
        var file: String

        func run() async throws {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CommandFailure.exit("\(file): cannot read the file: \(error.localizedDescription)")
            }
            var expected: ReconciliationReport?
            if let sitePath = site {
                let storeOptions = try StoreOptions.parse(
                    ["--site", sitePath] + devices.flatMap { ["--devices", $0] })
                let site = try storeOptions.requireSite()
                guard let parameters = ReportVerifier.parameters(of: text),
                    let instant = UTCTimestamp.parse(parameters.at)
                else { throw CommandFailure.exit("\(file): not a reconciliation report (no instant found)") }
                expected = try await ReconciliationBuilder.build(
                    site: site, database: try storeOptions.open(site: site), at: instant,
                    window: .milliseconds(Int64((parameters.windowSeconds * 1000).rounded())),
                    location: parameters.location)
            }
            do {
                let outcome = try ReportVerifier.verify(text, expected: expected)
                let against = expected == nil ? "" : ", and the store gives the same report"
                print("\(file): \(outcome.format.rawValue) report intact, content-sha256 \(outcome.digest)\(against)")
            } catch let failure as ReportVerifier.Failure {
                throw CommandFailure.exit("\(file): \(failure.description)")
            }
        }
    }
}
