import Foundation
import StockpileDomain
import Testing

@testable import StockpileStore

/// The store's book at an instant, streamed from its rows, against the ledger value's own positions: the
/// same lots at the same places with the same kg and last receipts, at every instant, for a ledger of
/// receipts, issues, whole-lot transfers and adjustments recorded out of time order.
@Suite("The book at an instant, from the store's rows")
struct BookSnapshotTests {
    static let start = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
    static let places = ["bay-a1", "bay-a2", "bay-b1", "cage-1"]
    static let locations = places.map {
        LedgerLocation(
            name: $0, kind: .scale, zone: nil, device: "\($0)-scale",
            metrology: ScaleLocation(name: $0, capacity: 5000, division: 1, accuracyClass: .medium))
    }

    /// A valid ledger from a seeded generator: 12 lots, 300 transactions, appended in batches whose times
    /// interleave.
    static func batches(seed: UInt64) -> [[LedgerRecord]] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var reference: [LedgerRecord] = [.material(Material(code: "DY2O3", name: "Dy2O3", hygroscopic: false))]
        var where_: [String: String] = [:]
        var kg: [String: Double] = [:]
        var opened: [String: Date] = [:]
        for lot in 0..<12 {
            let id = "L\(lot)"
            let place = places[lot % places.count]
            reference.append(
                .lot(
                    Lot(
                        id: id, material: "DY2O3", location: place, containerKind: "drum", containerCount: 2,
                        tarePerContainer: 18)))
            where_[id] = place
            kg[id] = 0
        }
        var entries: [LedgerTransaction] = []
        // Time moves on in steps; each lot's own history stays valid in time order.
        for step in 0..<300 {
            let time = start.addingTimeInterval(Double(step * 60))
            let id = "L\(next(12))"
            let place = where_[id]!
            let document = "D-\(step)"
            func add(_ kind: LedgerTransaction.Kind, _ quantity: Double, to destination: String? = nil) {
                entries.append(
                    LedgerTransaction(
                        kind: kind, time: time, lot: id, location: place, destination: destination,
                        quantity: quantity, actor: "clerk", document: document,
                        reason: kind == .adjustment ? "count" : "",
                        approver: kind == .adjustment ? "supervisor" : ""))
            }
            if opened[id] == nil {
                add(.opening, Double(100 + next(400)))
                opened[id] = time
                kg[id] = entries.last!.quantity
                continue
            }
            let choice = next(4)
            if choice == 1, kg[id]! > 20 {
                let quantity = Double(1 + next(10)) + 0.5
                add(.issue, quantity)
                kg[id]! -= quantity
            } else if choice == 2, kg[id]! > 0 {
                let destination = places.filter { $0 != place }[next(places.count - 1)]
                add(.transfer, kg[id]!, to: destination)
                where_[id] = destination
            } else if choice == 3, kg[id]! > 1 {
                add(.adjustment, -0.75)
                kg[id]! -= 0.75
            } else {
                let quantity = Double(1 + next(50)) + 0.25
                add(.receipt, quantity)
                kg[id]! += quantity
            }
        }
        // Recorded in three batches: the odd lots' whole histories after the even lots', so the order
        // recorded is not the order in time.
        func odd(_ transaction: LedgerTransaction) -> Bool { Int(transaction.lot.dropFirst())! % 2 == 1 }
        return [
            reference, entries.filter { !odd($0) }.map(LedgerRecord.transaction),
            entries.filter(odd).map(LedgerRecord.transaction),
        ]
    }

    @Test("positions at every instant match the ledger value's; a counted location's book matches too")
    func snapshotMatchesTheLedger() async throws {
        try await withFileStore { database, _ in
            for batch in Self.batches(seed: 7) {
                try await database.appendLedger(batch, locations: Self.locations)
            }
            let ledger = try await database.ledger(locations: Self.locations)
            #expect(ledger.transactions.count > 200)
            #expect(ledger.transactions.contains { $0.kind == .transfer })
            // The odd lots were recorded after the even ones but date between their entries.
            #expect(ledger.transactions.map(\.time) != ledger.transactions.map(\.time).sorted())
            for minutes in [-1, 0, 1, 37, 150, 151, 299, 400] {
                let instant = Self.start.addingTimeInterval(Double(minutes * 60))
                let expected = ledger.positions(asOf: instant)
                let snapshot = try await database.bookSnapshot(asOf: instant)
                #expect(snapshot.positions.map(\.lot.id) == expected.map(\.lot.id), "at \(minutes) min")
                #expect(snapshot.positions.map(\.location) == expected.map(\.location), "at \(minutes) min")
                #expect(snapshot.positions.map(\.lastReceipt) == expected.map(\.lastReceipt), "at \(minutes) min")
                for (stored, computed) in zip(snapshot.positions, expected) {
                    #expect(abs(stored.kilograms - computed.kilograms) < 1e-9, "\(stored.lot.id) at \(minutes) min")
                }
                for place in Self.places {
                    let book = try await database.book(at: place, asOf: instant)
                    #expect(abs(book - ledger.book(at: place, asOf: instant)) < 1e-9, "\(place) at \(minutes) min")
                }
            }
            #expect(try await database.bookSnapshot(asOf: Self.start).materials.keys.sorted() == ["DY2O3"])
            // The head moves with every transaction added, and only then.
            let head = try await database.ledgerHead()
            #expect(head.sequence == Int64(ledger.transactions.count) && head.lots == 12 && head.materials == 1)
            #expect(try await database.ledgerHead() == head)
            try await database.appendLedger(
                [
                    .transaction(
                        LedgerTransaction(
                            kind: .receipt, time: Self.start.addingTimeInterval(90_000), lot: "L0",
                            location: ledger.positions(asOf: .distantFuture).first { $0.lot.id == "L0" }!.location,
                            quantity: 1, actor: "clerk", document: "D-late"))
                ], locations: Self.locations)
            #expect(try await database.ledgerHead().sequence == head.sequence + 1)
        }
    }

    @Test("the accumulator gives the same positions whatever order the transactions come in")
    func orderDoesNotMatter() throws {
        let batches = Self.batches(seed: 11)
        let lots = Dictionary(
            uniqueKeysWithValues: batches[0].compactMap { record -> (String, Lot)? in
                if case .lot(let lot) = record { (lot.id, lot) } else { nil }
            })
        let transactions = (batches[1] + batches[2]).compactMap { record -> LedgerTransaction? in
            if case .transaction(let transaction) = record { transaction } else { nil }
        }
        var forward = BookAccumulator(lots: lots)
        var backward = BookAccumulator(lots: lots)
        for (index, transaction) in transactions.enumerated() { forward.apply(transaction, sequence: Int64(index)) }
        for (index, transaction) in transactions.enumerated().reversed() {
            backward.apply(transaction, sequence: Int64(index))
        }
        #expect(forward.positions.map(\.location) == backward.positions.map(\.location))
        #expect(forward.positions.map(\.lastReceipt) == backward.positions.map(\.lastReceipt))
        for (a, b) in zip(forward.positions, backward.positions) { #expect(abs(a.kilograms - b.kilograms) < 1e-9) }
        // And a lot with no transaction in effect has no position at all.
        #expect(BookAccumulator(lots: lots).positions.isEmpty)
    }
}
