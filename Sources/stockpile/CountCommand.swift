import ArgumentParser
import Foundation
import StockpileDomain
import StockpileStore

/// `stockpile count sheet|record`: counts by hand, blind.
struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Counts by hand: a blind count sheet, and recording a count.",
        subcommands: [Sheet.self, RecordCount.self])

    struct Sheet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a blind count sheet: locations and lots with their containers, never a book quantity.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("Only this location (repeatable).", valueName: "L"))
        var location: [String] = []

        func run() async throws {
            let site = try storeOptions.requireSite()
            let known = Set(site.ledgerLocations.map(\.name))
            for name in location where !known.contains(name) {
                throw CommandFailure.exit("--location: no location \(name) in \(site.file)")
            }
            let ledger = try await storeOptions.open(site: site).ledger(locations: site.ledgerLocations)
            let now = Date()
            print("Blind count sheet, \(site.name) (\(site.id)), printed \(UTCTimestamp.text(now))")
            print("Weigh each location's net; write kg, your name and the time. The book is not shown.\n")
            var rows = [["location", "weighed by", "lot", "material", "containers", "counted kg", "counter", "time"]]
            for place in site.ledgerLocations where location.isEmpty || location.contains(place.name) {
                let lots = ledger.positions(at: place.name, asOf: now).filter { $0.kilograms > 0 }
                let scale = place.device ?? "counting scale d=\(Numbers.text(place.metrology.division)) kg"
                if lots.isEmpty { rows.append([place.name, scale, "-", "-", "-", "____", "____", "____"]) }
                for position in lots {
                    rows.append([
                        place.name, scale, position.lot.id, position.lot.material,
                        "\(position.lot.containerCount) \(position.lot.containerKind)", "____", "____", "____",
                    ])
                }
            }
            print(Numbers.aligned(rows, rightAligned: []), terminator: "")
        }
    }

    struct RecordCount: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record a count (signed off: nothing may later be dated at or before it there).")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "The location counted.")
        var location: String

        @Option(
            parsing: .unconditional, help: "The net weight counted, kg (0–1e9).",
            transform: OptionValue.double(in: 0...1e9))
        var kg: Double

        @Option(help: "Who counted.")
        var counter: String

        @Option(help: "The count sheet's reference (unique).")
        var document: String

        @Option(help: ArgumentHelp("When (default: now), ISO 8601 or a duration ago.", valueName: "T"))
        var time: String?

        @Option(help: "Free text.")
        var comment: String = ""

        func run() async throws {
            let site = try storeOptions.requireSite()
            let instant = try InstantOption.parse(time, option: "--time")
            let count = PhysicalCount(
                location: location, time: instant, kilograms: kg, counter: counter, document: document, comment: comment
            )
            do {
                try await storeOptions.openForWriting(site: site).recordCount(count, locations: site.ledgerLocations)
                print("recorded count \(document) at \(location)")
            } catch let violations as LedgerViolations {
                for violation in violations.violations {
                    CommandFailure.report("--\(violation.field): \(violation.message)")
                }
                throw CommandFailure.exit("\(document): not recorded")
            }
        }
    }
}
