import ArgumentParser
import Foundation
import StockpileDomain
import StockpileLedger
import StockpileStore

/// `stockpile ledger import|export|show|record|verify`: the inventory ledger in the site's store.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The inventory ledger: import, export, show, record one transaction, verify the hash chain.",
        discussion: "The file format is docs/ledger.md. Locations come from the site file.",
        subcommands: [Import.self, Export.self, Show.self, Record.self, Verify.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a ledger CSV file: all of it, or nothing with every error at its line and column.",
            discussion: "Records already in the ledger are skipped: importing the same file twice writes nothing twice."
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The ledger file (docs/ledger.md).", valueName: "FILE.csv"))
        var file: String

        func run() async throws {
            let site = try storeOptions.requireSite()
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CommandFailure.exit("\(file): cannot read the file: \(error.localizedDescription)")
            }
            let database = try storeOptions.openForWriting(site: site)
            do {
                let outcome = try await LedgerImport.run(
                    text: text, file: file, locations: site.ledgerLocations, database: database)
                let skipped = outcome.rows - outcome.added
                print("\(file): \(outcome.added) records imported, \(skipped) already in the ledger")
            } catch let errors as LedgerFileErrors {
                for error in errors.errors { CommandFailure.report("\(error)") }
                throw CommandFailure.exit("\(file): \(errors.errors.count) errors, nothing imported")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the whole ledger as a CSV file that `ledger import` reads back.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "FILE"))
        var out: String?

        func run() async throws {
            let site = try storeOptions.requireSite()
            let ledger = try await storeOptions.open(site: site).ledger(locations: site.ledgerLocations)
            try OutputFile.write(LedgerCSV.export(ledger), to: out)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The book position of every lot as of an instant (default: now).")

        @OptionGroup var storeOptions: StoreOptions

        @Option(
            help: ArgumentHelp("The instant: ISO 8601 (2026-12-01T08:00:00Z) or a duration ago (2h).", valueName: "T"))
        var at: String?

        @Option(help: ArgumentHelp("Only this location.", valueName: "L"))
        var location: String?

        @Flag(help: "A JSON object instead of a table.")
        var json = false

        func run() async throws {
            let site = try storeOptions.requireSite()
            let instant = try InstantOption.parse(at, option: "--at")
            let ledger = try await storeOptions.open(site: site).ledger(locations: site.ledgerLocations)
            if let location, ledger.locations[location] == nil {
                throw CommandFailure.exit("--location: no location \(location) in \(site.file)")
            }
            let positions = ledger.positions(asOf: instant).filter { location == nil || $0.location == location }
            let cutOff = ledger.cutOff(asOf: instant)
            if json {
                let object: [String: Any] = [
                    "at": UTCTimestamp.text(instant),
                    "cut_off": cutOff.map { ["document": $0.document, "time": UTCTimestamp.text($0.time)] } ?? NSNull(),
                    "lots": positions.map {
                        [
                            "location": $0.location, "lot": $0.lot.id, "material": $0.lot.material,
                            "book": $0.kilograms, "unit": "kg", "containers": $0.lot.containerCount,
                            "container_kind": $0.lot.containerKind,
                        ] as [String: Any]
                    },
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("Book as of \(UTCTimestamp.text(instant))")
            print(
                cutOff.map { "Cut-off: \($0.kind.rawValue) \($0.document) at \(UTCTimestamp.text($0.time))" }
                    ?? "Cut-off: no transaction at or before this instant")
            var rows = [["location", "lot", "material", "book kg", "containers"]]
            rows += positions.map {
                [
                    $0.location, $0.lot.id, $0.lot.material, Numbers.text($0.kilograms),
                    "\($0.lot.containerCount) \($0.lot.containerKind)",
                ]
            }
            print(Numbers.aligned(rows, rightAligned: [3]), terminator: "")
        }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record one transaction (a receipt at the dock, an issue, a transfer, an approved adjustment).",
            discussion: "An adjustment needs --reason and an --approver who is neither the actor nor the counter.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "opening, receipt, issue, transfer or adjustment.")
        var kind: String

        @Option(help: "The lot.")
        var lot: String

        @Option(help: "Where it happens (a transfer: where the lot leaves from).")
        var location: String

        @Option(help: "A transfer's destination.")
        var destination: String?

        @Option(
            parsing: .unconditional,
            help: "kg: positive; signed for an adjustment (a loss: --kg -25), at most 1e9 either way.",
            transform: OptionValue.double(in: -1e9...1e9))
        var kg: Double

        @Option(help: "Who records it.")
        var actor: String

        @Option(help: "The reference document (unique).")
        var document: String

        @Option(help: ArgumentHelp("When it happened (default: now), ISO 8601 or a duration ago.", valueName: "T"))
        var time: String?

        @Option(help: "Why (adjustments).")
        var reason: String = ""

        @Option(help: "Who approved (adjustments).")
        var approver: String = ""

        @Option(help: "Free text.")
        var comment: String = ""

        func run() async throws {
            guard let kind = LedgerTransaction.Kind(rawValue: kind) else {
                let kinds = LedgerTransaction.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                throw CommandFailure.exit("--kind: \"\(self.kind)\" is not one of \(kinds)")
            }
            let site = try storeOptions.requireSite()
            let instant = try InstantOption.parse(time, option: "--time")
            let transaction = LedgerTransaction(
                kind: kind, time: instant, lot: lot, location: location, destination: destination, quantity: kg,
                actor: actor, document: document, comment: comment, reason: reason, approver: approver)
            let database = try storeOptions.openForWriting(site: site)
            do {
                let added = try await database.appendLedger(
                    [.transaction(transaction)], locations: site.ledgerLocations)
                print(
                    added.isEmpty
                        ? "\(document) is already in the ledger, unchanged" : "recorded \(kind.rawValue) \(document)")
            } catch let violations as LedgerViolations {
                for violation in violations.violations {
                    CommandFailure.report("--\(Self.option(forField: violation.field)): \(violation.message)")
                }
                throw CommandFailure.exit("\(document): not recorded")
            }
        }

        /// The option a ledger field is given by (`quantity` is `--kg`).
        static func option(forField field: String) -> String {
            field == "quantity" ? "kg" : field
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the ledger's SHA-256 chain; name the first altered, inserted or missing transaction.",
            discussion: "Exit 0 when intact (prints the head hash to keep outside the store), 1 when broken.")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let site = try storeOptions.loadSite()
            let verification = try await storeOptions.open(site: site).verifyLedger()
            if let failure = verification.failure {
                throw CommandFailure.exit(
                    "ledger chain broken at transaction \(failure.sequence) (\(failure.kind.rawValue)): \(failure.message)"
                )
            }
            print("ledger intact: \(verification.entries) transactions, head \(verification.head)")
        }
    }
}

/// `--at`/`--time`: an ISO 8601 instant, a duration ago, or now when absent.
enum InstantOption {
    static func parse(_ text: String?, option: String, now: Date = Date()) throws -> Date {
        guard let text else { return now }
        if let date = UTCTimestamp.parse(text) { return date }
        if let duration = DurationText.parse(text) { return now.addingTimeInterval(-duration.seconds) }
        throw CommandFailure.exit(
            "\(option): \"\(text)\" is not an ISO 8601 time (2026-12-01T08:00:00Z) or a duration (2h)")
    }
}

/// Writes command output to a file or standard output.
enum OutputFile {
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure.exit("--out: cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// Numbers and columns as people read them.
enum Numbers {
    static func text(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : "\(rounded)"
    }

    static func aligned(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        ReportRenderer.aligned(rows, rightAligned: rightAligned)
    }
}
