import Foundation
import StockpileDomain

/// A small ledger, hand-built: two scale bays, one manual cage, two materials, three lots.
enum LedgerFixtures {
    static let day = UTCTimestamp.parse("2026-12-01T00:00:00Z")!

    /// `hour` hours (and `minute` minutes) into 2026-12-01, UTC.
    static func at(_ hour: Int, _ minute: Int = 0) -> Date {
        day.addingTimeInterval(Double(hour * 3600 + minute * 60))
    }

    static let dysprosium = Material(
        code: "DY2O3", name: "Dy2O3", hygroscopic: true, humidityLimit: 60, moistureAllowancePercent: 0.5)
    static let terbium = Material(code: "TB4O7", name: "Tb4O7", hygroscopic: false)

    static func scale(_ name: String, zone: String = "bay-b") -> LedgerLocation {
        LedgerLocation(
            name: name, kind: .scale, zone: zone, device: "\(name)-scale",
            metrology: ScaleLocation(name: name, capacity: 5000, division: 1, accuracyClass: .medium))
    }

    static let cage = LedgerLocation(
        name: "cage-1", kind: .manual, zone: nil, device: nil,
        metrology: ScaleLocation(name: "cage-1", capacity: 600, division: 0.2, accuracyClass: .medium))

    static let lotOne = Lot(
        id: "DY-1", material: "DY2O3", location: "bay-b1", containerKind: "drum", containerCount: 3,
        tarePerContainer: 20)
    static let lotTwo = Lot(
        id: "DY-2", material: "DY2O3", location: "bay-b2", containerKind: "drum", containerCount: 1,
        tarePerContainer: 20)
    static let lotThree = Lot(
        id: "TB-1", material: "TB4O7", location: "cage-1", containerKind: "bag", containerCount: 10,
        tarePerContainer: 0.5)

    static func empty() -> BookLedger {
        BookLedger(
            materials: [dysprosium, terbium], locations: [scale("bay-b1"), scale("bay-b2"), cage],
            lots: [lotOne, lotTwo, lotThree])
    }

    static func transaction(
        _ kind: LedgerTransaction.Kind, _ time: Date, lot: String = "DY-1", at location: String = "bay-b1",
        to destination: String? = nil, kg quantity: Double, document: String, actor: String = "clerk",
        reason: String = "", approver: String = ""
    ) -> LedgerTransaction {
        LedgerTransaction(
            kind: kind, time: time, lot: lot, location: location, destination: destination, quantity: quantity,
            actor: actor, document: document, reason: reason, approver: approver)
    }

    /// 08:00 open DY-1 600 kg at b1; 08:30 open DY-2 300 kg at b2; 09:00 receive 150 into DY-1;
    /// 10:00 issue 50; 11:00 transfer DY-1 (700 kg) to b2; 12:00 adjust DY-1 −2 kg.
    static let history: [LedgerTransaction] = [
        transaction(.opening, at(8), kg: 600, document: "OPEN-1"),
        transaction(.opening, at(8, 30), lot: "DY-2", at: "bay-b2", kg: 300, document: "OPEN-2"),
        transaction(.receipt, at(9), kg: 150, document: "GRN-1"),
        transaction(.issue, at(10), kg: 50, document: "ISS-1"),
        transaction(.transfer, at(11), to: "bay-b2", kg: 700, document: "TRF-1"),
        transaction(
            .adjustment, at(12), at: "bay-b2", kg: -2, document: "ADJ-1", reason: "recount after spill",
            approver: "supervisor"),
    ]

    static func withHistory() throws -> BookLedger {
        var ledger = empty()
        try ledger.admit(history)
        return ledger
    }
}
