import Foundation
import StockpileDomain
import Testing

@Suite("Book ledger: as-of positions and the gate for new transactions")
struct BookLedgerTests {
    typealias F = LedgerFixtures

    @Test(
        "as-of reconstruction across openings, a receipt, an issue, a transfer and an adjustment",
        arguments: [
            (F.at(7, 59), 0.0, 0.0), (F.at(8), 600, 0), (F.at(8, 30), 600, 300), (F.at(9), 750, 300),
            (F.at(10, 30), 700, 300), (F.at(11), 0, 1000), (F.at(12), 0, 998), (F.at(23), 0, 998),
        ])
    func asOf(instant: Date, bayOne: Double, bayTwo: Double) throws {
        let ledger = try F.withHistory()
        #expect(ledger.book(at: "bay-b1", asOf: instant) == bayOne)
        #expect(ledger.book(at: "bay-b2", asOf: instant) == bayTwo)
    }

    @Test(
        "a transferred lot is at its destination with its last receipt; the cut-off is the last transaction in effect")
    func positionsAndCutOff() throws {
        let ledger = try F.withHistory()
        let positions = ledger.positions(asOf: F.at(11, 30))
        #expect(positions.map(\.lot.id) == ["DY-1", "DY-2"])
        #expect(positions.map(\.location) == ["bay-b2", "bay-b2"])
        #expect(positions[0].lastReceipt?.document == "GRN-1")
        #expect(positions[1].lastReceipt?.document == "OPEN-2")
        #expect(ledger.cutOff(asOf: F.at(10, 30))?.document == "ISS-1")
        #expect(ledger.cutOff(asOf: F.at(7))?.document == nil)
    }

    @Test("a transaction recorded later but dated earlier applies at its own time")
    func backdatedReceipt() throws {
        var ledger = try F.withHistory()
        try ledger.admit([F.transaction(.receipt, F.at(11, 30), at: "bay-b2", kg: 25, document: "GRN-LATE")])
        #expect(ledger.book(at: "bay-b2", asOf: F.at(11, 45)) == 1025)
        #expect(ledger.book(at: "bay-b2", asOf: F.at(12)) == 1023)
    }

    @Test("a receipt dated before a whole-lot transfer would split the lot: refused, naming the transfer")
    func backdatedReceiptBreaksTransfer() throws {
        var ledger = try F.withHistory()
        let error = #expect(throws: LedgerViolations.self) {
            try ledger.admit([F.transaction(.receipt, F.at(9, 30), kg: 25, document: "GRN-LATE")])
        }
        #expect(error?.violations.map(\.code) == [.transferNotWhole])
        #expect(error?.violations.first?.message.contains("TRF-1") == true)
        #expect(ledger.transactions.count == F.history.count)
    }

    @Test("the same batch admitted twice adds nothing the second time")
    func idempotent() throws {
        var ledger = try F.withHistory()
        let added = try ledger.admit(F.history)
        #expect(added.isEmpty)
        #expect(ledger.transactions.count == F.history.count)
    }

    @Test("a batch with mistakes is refused whole, with every violation at its entry and field")
    func everyViolationAtOnce() throws {
        var ledger = try F.withHistory()
        let batch = [
            F.transaction(.receipt, F.at(13), at: "bay-b2", kg: 10, document: "GRN-OK"),  // 0: fine on its own
            F.transaction(.receipt, F.at(13), lot: "NOPE", kg: 10, document: "GRN-2"),  // 1
            F.transaction(.receipt, F.at(13), at: "bay-z9", kg: 10, document: "GRN-3"),  // 2
            F.transaction(.receipt, F.at(13), at: "bay-b2", kg: .nan, document: "GRN-4"),  // 3
            F.transaction(.issue, F.at(13), at: "bay-b2", kg: 5000, document: "ISS-2"),  // 4
            F.transaction(.receipt, F.at(13), at: "bay-b2", kg: 99, document: "GRN-1"),  // 5: GRN-1 with other content
            F.transaction(.receipt, F.at(13), at: "bay-b1", kg: 10, document: "GRN-5"),  // 6: DY-1 is at b2 now
            F.transaction(
                .adjustment, F.at(13), at: "bay-b2", kg: 1, document: "ADJ-2", reason: "x", approver: "clerk"),  // 7
            F.transaction(.transfer, F.at(13), at: "bay-b2", to: "cage-1", kg: 10, document: "TRF-2"),  // 8
            F.transaction(.receipt, F.at(13), at: "bay-b2", kg: 1, document: "GRN-OK"),  // 9: repeats entry 0's document
        ]
        let before = ledger.transactions
        let error = #expect(throws: LedgerViolations.self) { try ledger.admit(batch) }
        let found = error?.violations.map { "\($0.entry) \($0.field) \($0.code.rawValue)" } ?? []
        #expect(
            found == [
                "1 lot unknown lot", "2 location unknown location", "3 quantity invalid quantity",
                "4 quantity negative position", "5 document duplicate document", "6 location wrong location",
                "7 approver segregation of duties", "8 quantity transfer not whole", "9 document duplicate document",
            ])
        #expect(ledger.transactions == before)
    }

    @Test("an issue dated before a later issue that it would drive negative is blamed, naming the later one")
    func backdatedIssueBreaksLaterOne() throws {
        var ledger = F.empty()
        try ledger.admit([
            F.transaction(.opening, F.at(8), kg: 100, document: "OPEN-1"),
            F.transaction(.issue, F.at(10), kg: 80, document: "ISS-1"),
        ])
        let error = #expect(throws: LedgerViolations.self) {
            try ledger.admit([F.transaction(.issue, F.at(9), kg: 30, document: "ISS-0")])
        }
        #expect(error?.violations.count == 1)
        #expect(error?.violations.first?.code == .negativePosition)
        #expect(error?.violations.first?.message.contains("ISS-1") == true)
    }

    @Test("a lot's first transaction is an opening or receipt at its declared location; an opening comes only first")
    func openingRules() throws {
        var ledger = F.empty()
        let error = #expect(throws: LedgerViolations.self) {
            try ledger.admit([
                F.transaction(.issue, F.at(8), kg: 1, document: "ISS-0"),
                F.transaction(.opening, F.at(9), lot: "DY-2", at: "bay-b1", kg: 10, document: "OPEN-2"),
            ])
        }
        #expect(error?.violations.map(\.code) == [.openingNotFirst, .wrongLocation])
        var opened = try F.withHistory()
        let again = #expect(throws: LedgerViolations.self) {
            try opened.admit([F.transaction(.opening, F.at(13), at: "bay-b2", kg: 5, document: "OPEN-9")])
        }
        #expect(again?.violations.map(\.code) == [.openingNotFirst])
    }

    @Test("an adjustment needs a reason and an approver other than the actor and the counter")
    func adjustmentRules() throws {
        var ledger = try F.withHistory()
        ledger.counts = [
            PhysicalCount(location: "bay-b2", time: F.at(13), kilograms: 995, counter: "auditor", document: "CNT-1")
        ]
        let missing = #expect(throws: LedgerViolations.self) {
            try ledger.admit([F.transaction(.adjustment, F.at(14), at: "bay-b2", kg: -3, document: "ADJ-9")])
        }
        #expect(missing?.violations.map(\.field) == ["approver", "reason"])
        let byCounter = #expect(throws: LedgerViolations.self) {
            try ledger.admit([
                F.transaction(
                    .adjustment, F.at(14), at: "bay-b2", kg: -3, document: "ADJ-9", reason: "count CNT-1",
                    approver: "auditor")
            ])
        }
        #expect(byCounter?.violations.map(\.code) == [.segregationOfDuties])
        try ledger.admit([
            F.transaction(
                .adjustment, F.at(14), at: "bay-b2", kg: -3, document: "ADJ-9", reason: "count CNT-1",
                approver: "supervisor")
        ])
        #expect(ledger.book(at: "bay-b2", asOf: F.at(14)) == 995)
    }

    @Test("nothing may be dated at or before a signed-off count at its location")
    func cutOffOfCount() throws {
        var ledger = try F.withHistory()
        ledger.counts = [
            PhysicalCount(location: "bay-b2", time: F.at(13), kilograms: 998, counter: "auditor", document: "CNT-1")
        ]
        let error = #expect(throws: LedgerViolations.self) {
            try ledger.admit([F.transaction(.receipt, F.at(13), at: "bay-b2", kg: 10, document: "GRN-9")])
        }
        #expect(error?.violations.map(\.code) == [.beforeCutOff])
        #expect(error?.violations.first?.field == "time")
        try ledger.admit([F.transaction(.receipt, F.at(13, 1), at: "bay-b2", kg: 10, document: "GRN-9")])
    }

    @Test("the canonical text is length-prefixed, so a value cannot imitate a field boundary")
    func canonicalText() {
        let plain = F.transaction(.receipt, F.at(8), kg: 1.5, document: "A", actor: "x;y")
        #expect(plain.canonicalText.hasPrefix("v=1:1;kind=7:receipt;time=13:1796112000000;lot=4:DY-1;"))
        #expect(plain.canonicalText.contains(";quantity=3:1.5;actor=3:x;y;document=1:A;"))
        var other = plain
        other.actor = "x"
        other.document = "y;document=1:A"
        #expect(other.canonicalText != plain.canonicalText)
    }

    @Test("UTC timestamps print to the second, or the millisecond when there is one, and read back")
    func timestamps() {
        #expect(UTCTimestamp.text(F.at(8)) == "2026-12-01T08:00:00Z")
        let fraction = F.at(8).addingTimeInterval(0.25)
        #expect(UTCTimestamp.text(fraction) == "2026-12-01T08:00:00.250Z")
        #expect(UTCTimestamp.parse("2026-12-01T08:00:00.250Z") == fraction)
        #expect(UTCTimestamp.parse("2026-12-01T09:00:00+01:00") == F.at(8))
        #expect(UTCTimestamp.parse("yesterday") == nil)
        #expect(UTCTimestamp.parse("2026-02-30T00:00:00Z") == nil)
        #expect(UTCTimestamp.parse("2026-12-01T24:00:00Z") == nil)
    }

    @Test("the hand-rolled UTC form agrees with ISO8601DateFormatter across leap days, centuries and 1970")
    func timestampsAgreeWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for text in [
            "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29T12:34:56Z", "2100-03-01T00:00:00Z",
            "2024-02-29T23:59:59Z", "2026-12-31T23:59:59Z", "1600-01-01T00:00:00Z",
        ] {
            #expect(UTCTimestamp.parse(text) == formatter.date(from: text), "\(text)")
            #expect(UTCTimestamp.text(formatter.date(from: text)!) == text)
        }
    }
}
