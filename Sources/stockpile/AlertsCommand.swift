import ArgumentParser
import Foundation
import StockpileAlerts
import StockpileDomain
import StockpileStore

/// `stockpile alerts list|show|ack|silence|silences|unsilence|history`: the alerts in the site's store.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "The alerts: list, show one with its history, acknowledge, silence, and the transitions.",
        discussion: """
            The rules are the site file's alerts section (docs/alerts.md). These commands work while the agent \
            runs: an acknowledgement goes through the agent, a silence is read by it within a second.
            """,
        subcommands: [
            List.self, Show.self, Acknowledge.self, SilenceCommand.self, Silences.self, Unsilence.self,
            History.self,
        ])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The open alerts (pending, firing, acknowledged), newest first; with --all, resolved ones too.")

        @OptionGroup var storeOptions: StoreOptions

        @Flag(help: "Resolved alerts too (and pending ones that cleared before firing).")
        var all = false

        @Flag(help: "A JSON array instead of a table.")
        var json = false

        func run() async throws {
            let database = try storeOptions.open(site: try storeOptions.loadSite())
            let alerts = try await database.alerts(includeResolved: all)
            if json {
                Output.line(JSONText.line(alerts.map { AlertsOutput.json($0, history: false) }, pretty: true))
                return
            }
            guard !alerts.isEmpty else {
                print(all ? "no alerts" : "no open alerts")
                return
            }
            print(AlertsOutput.table(alerts))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One alert, with its whole history.")

        @OptionGroup var storeOptions: StoreOptions

        @Argument(
            help: ArgumentHelp("The alert's id (`alerts list`).", valueName: "ID"), transform: AlertsOutput.id)
        var id: Int

        @Flag(help: "A JSON object instead of text.")
        var json = false

        func run() async throws {
            let database = try storeOptions.open(site: try storeOptions.loadSite())
            guard let alert = try await database.alert(id: id) else { throw CommandFailure.exit("no alert #\(id)") }
            if json {
                Output.line(JSONText.line(AlertsOutput.json(alert, history: true), pretty: true))
                return
            }
            print(AlertsOutput.detail(alert))
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every transition since an instant, oldest first.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp(
                "A duration ago (24h, the default; 30m) or an ISO 8601 instant (2026-12-01T08:00:00Z).",
                valueName: "T"),
            transform: AlertsOutput.since)
        var since: AlertsOutput.Since = .ago(.seconds(86_400))

        @Flag(help: "A JSON array instead of a table.")
        var json = false

        func run() async throws {
            let database = try storeOptions.open(site: try storeOptions.loadSite())
            let events = try await database.alertEvents(since: since.instant(now: Date()))
            if json {
                Output.line(JSONText.line(events.map(AlertsOutput.json), pretty: true))
                return
            }
            guard !events.isEmpty else {
                print("no transitions since \(UTCTimestamp.text(since.instant(now: Date())))")
                return
            }
            var table = TextTable(header: ["at", "id", "rule", "from", "to", "value", "by", "comment"])
            table.rows = events.map { event in
                [
                    UTCTimestamp.text(event.at), "\(event.alertID)", event.rule, event.from.rawValue,
                    event.to.rawValue, event.value.map(Numbers.text) ?? "", event.by ?? "", event.comment ?? "",
                ]
            }
            print(table.render())
        }
    }
}
