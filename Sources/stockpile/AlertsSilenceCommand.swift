import ArgumentParser
import Foundation
import StockpileAlerts
import StockpileDomain
import StockpileStore

extension AlertsCommand {
    /// `alerts silence`: a maintenance window, written straight into the store (the agent re-reads silences
    /// every second).
    struct SilenceCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "silence",
            abstract: "Silence the alerts matching every --match for a while: recorded, not notified.",
            discussion: """
                Matchers as Alertmanager writes them: name=value, name!=value, name=~regex, name!~regex, on the \
                labels alertname, severity, site, device, zone, location, bus, point, limit, event. Prints the \
                silence's id, for `alerts unsilence`.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(
            name: .customLong("match"),
            help: ArgumentHelp(
                "A label matcher (device=bay-b1-scale); repeat for more, all must match.",
                valueName: "MATCHER"),
            transform: AlertsOutput.matcher)
        var matchers: [LabelMatcher] = []

        @Option(
            name: .customLong("for"), parsing: .unconditional,
            help: ArgumentHelp("How long, from the start (2h, 30m).", valueName: "DURATION"),
            transform: OptionValue.duration(in: .seconds(1)...AlertsOutput.longest))
        var duration: Duration?

        @Option(
            parsing: .unconditional, help: ArgumentHelp("Until when (ISO 8601), instead of --for.", valueName: "T"),
            transform: AlertsOutput.instant)
        var until: Date?

        @Option(
            parsing: .unconditional, help: ArgumentHelp("From when (ISO 8601; default now).", valueName: "T"),
            transform: AlertsOutput.instant)
        var starts: Date?

        @Option(help: ArgumentHelp("Who silences.", valueName: "NAME"), transform: AlertsOutput.name)
        var by: String

        @Option(
            help: ArgumentHelp("Why (the maintenance, the work order).", valueName: "TEXT"),
            transform: AlertsOutput.comment)
        var comment: String

        func validate() throws {
            guard !matchers.isEmpty else {
                throw ValidationError(
                    "--match: give at least one matcher (device=bay-b1-scale): a silence without one silences nothing")
            }
            switch (duration, until) {
            case (nil, nil): throw ValidationError("--for or --until: say how long the silence lasts")
            case (.some, .some): throw ValidationError("--for and --until: give one of them")
            default: break
            }
            if let until, let starts, until <= starts {
                throw ValidationError(
                    "--until: \(UTCTimestamp.text(until)) is not after --starts \(UTCTimestamp.text(starts))")
            }
        }

        func run() async throws {
            let now = Date()
            let start = starts ?? now
            let end = until ?? start.addingTimeInterval(duration?.seconds ?? 0)
            guard end > now else {
                throw CommandFailure.exit(
                    "--until: \(UTCTimestamp.text(end)) is already past: the silence would do nothing")
            }
            let silence = Silence(
                id: UUID().uuidString.lowercased(), matchers: matchers, startsAt: start, endsAt: end, createdBy: by,
                comment: comment)
            let database = try storeOptions.openForWriting(site: try storeOptions.loadSite())
            do {
                try await database.addSilence(silence, at: now)
            } catch let error as StoreError {
                throw CommandFailure.exit("\(error)")
            }
            // The id alone on standard output, for scripts; what it does on standard error, for people.
            print(silence.id)
            let matched = matchers.map(\.description).joined(separator: ", ")
            FileHandle.standardError.write(
                Data("silenced \(matched) from \(UTCTimestamp.text(start)) until \(UTCTimestamp.text(end))\n".utf8))
        }
    }

    /// `alerts silences`: the silences in force or to come; with `--all`, the expired ones too.
    struct Silences: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The silences in force or still to come; with --all, the expired ones too.")

        @OptionGroup var storeOptions: StoreOptions

        @Flag(help: "Expired silences too.")
        var all = false

        @Flag(help: "A JSON array instead of a table.")
        var json = false

        func run() async throws {
            let database = try storeOptions.open(site: try storeOptions.loadSite())
            let now = Date()
            let silences = try await database.silences(activeAt: nil).filter {
                all || $0.state(at: now) != .expired
            }
            if json {
                Output.line(JSONText.line(silences.map { AlertsOutput.json($0, now: now) }, pretty: true))
                return
            }
            guard !silences.isEmpty else {
                print(all ? "no silences" : "no silences in force or to come")
                return
            }
            var table = TextTable(header: ["id", "state", "matchers", "starts", "ends", "by", "comment"])
            table.rows = silences.map { silence in
                [
                    silence.id, silence.state(at: now).rawValue,
                    silence.matchers.map(\.description).joined(separator: ","),
                    UTCTimestamp.text(silence.startsAt), UTCTimestamp.text(silence.endsAt), silence.createdBy,
                    silence.comment,
                ]
            }
            print(table.render())
        }
    }

    /// `alerts unsilence ID --by NAME`: ends a silence now; the record stays.
    struct Unsilence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a silence now, before its time (it stays on record as expired).")

        @OptionGroup var storeOptions: StoreOptions

        @Argument(
            help: ArgumentHelp("The silence's id (`alerts silences`).", valueName: "ID"),
            transform: AlertsOutput.silenceID)
        var id: String

        @Option(help: ArgumentHelp("Who ends it.", valueName: "NAME"), transform: AlertsOutput.name)
        var by: String

        func run() async throws {
            let database = try storeOptions.openForWriting(site: try storeOptions.loadSite())
            guard try await database.expireSilence(id: id, at: Date(), by: by) else {
                let known = try await database.silences(activeAt: nil).contains { $0.id == id }
                throw CommandFailure.exit(known ? "silence \(id) is already over" : "no silence \(id)")
            }
            print("silence \(id) expired")
        }
    }
}

extension AlertsOutput {
    /// `--match`: a matcher on a label the alerts have (a misspelt label would silence nothing).
    static let matcher: @Sendable (String) throws -> LabelMatcher = { text in
        // Label values are names of devices, zones, rules: a control character is a pasting accident.
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationError("\"\(text)\": a matcher is one line of printable text")
        }
        let matcher: LabelMatcher
        do {
            matcher = try LabelMatcher(parsing: text)
        } catch let error as LabelMatcher.ParseError {
            throw ValidationError(error.description)
        }
        guard AlertLabels.known.contains(matcher.name) else {
            throw ValidationError(
                "\"\(text)\": no alert has the label \"\(matcher.name)\" (use "
                    + AlertLabels.known.sorted().joined(separator: ", ") + ")")
        }
        return matcher
    }

    /// A silence's id: as `alerts silence` printed it.
    static let silenceID: @Sendable (String) throws -> String = { text in
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ValidationError("expected a silence id, found nothing") }
        guard trimmed.count <= 100, trimmed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { throw ValidationError("\"\(text)\" is not a silence id (as `alerts silence` printed it)") }
        return trimmed
    }
}
