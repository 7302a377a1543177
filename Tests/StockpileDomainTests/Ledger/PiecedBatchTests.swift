import Foundation
import Testing

@testable import StockpileDomain

/// A large import is checked in the pieces it was read in, never gathered into one array: the verdict, and
/// every violation's index, must be what the same records give as one batch.
@Suite("Checking a batch in pieces")
struct PiecedBatchTests {
    typealias F = LedgerFixtures

    /// A batch whose later records define what earlier ones use, with mistakes spread over it.
    static let records: [LedgerRecord] = [
        .transaction(F.transaction(.opening, F.at(8), lot: "NEW-1", at: "bay-b2", kg: 40, document: "OPEN-N1")),
        .transaction(F.transaction(.receipt, F.at(9), lot: "NEW-1", at: "bay-b2", kg: 5, document: "GRN-N1")),
        .transaction(F.transaction(.receipt, F.at(9), lot: "NOPE", at: "bay-b2", kg: 5, document: "GRN-N2")),
        .lot(
            Lot(
                id: "NEW-1", material: "GD2O3", location: "bay-b2", containerKind: "drum", containerCount: 1,
                tarePerContainer: 15)),
        .transaction(F.transaction(.issue, F.at(10), lot: "NEW-1", at: "bay-b2", kg: 100, document: "ISS-N1")),
        .transaction(F.transaction(.receipt, F.at(11), lot: "NEW-1", at: "bay-b2", kg: 1, document: "GRN-N1")),
        .material(Material(code: "GD2O3", name: "Gd2O3", hygroscopic: false)),
    ]

    static func violations(_ body: () throws(LedgerViolations) -> [Int]) -> [String] {
        do {
            _ = try body()
            return []
        } catch {
            return error.violations.map { "\($0.entry) \($0.field) \($0.code.rawValue) \($0.message)" }
        }
    }

    @Test(
        "pieces give the one batch's violations at the same indices", arguments: [[7], [1, 6], [2, 2, 3], [3, 0, 4]])
    func sameViolations(sizes: [Int]) {
        var pieces: [[LedgerRecord]] = []
        var start = 0
        for size in sizes {
            pieces.append(Array(Self.records[start..<(start + size)]))
            start += size
        }
        let whole = Self.violations { () throws(LedgerViolations) in try F.empty().admissible(records: Self.records) }
        let pieced = Self.violations { () throws(LedgerViolations) in try F.empty().admissible(pieces: pieces) }
        // An unknown lot (2), a negative position (4), a document twice (5).
        #expect(whole.map { $0.prefix(2) } == ["2 ", "4 ", "5 "])
        #expect(pieced == whole)
    }

    @Test("a clean batch in pieces admits the records it admits whole, at their indices across the pieces")
    func sameAdmitted() throws {
        let clean = Array(Self.records.enumerated().filter { ![2, 4, 5].contains($0.offset) }.map(\.element))
        let whole = try F.empty().admissible(records: clean)
        let pieced = try F.empty().admissible(pieces: [Array(clean[..<1]), [], Array(clean[1...])])
        #expect(whole == Array(0..<clean.count))
        #expect(pieced == whole)
    }

    @Test("a transaction dated at or before its location's latest count is refused, naming that count")
    func cutOffAtLatestCount() {
        var ledger = F.empty()
        ledger.counts = [
            PhysicalCount(location: "bay-b1", time: F.at(7), kilograms: 0, counter: "a", document: "CS-1"),
            PhysicalCount(location: "bay-b1", time: F.at(9), kilograms: 0, counter: "b", document: "CS-2"),
            PhysicalCount(location: "bay-b1", time: F.at(8), kilograms: 0, counter: "c", document: "CS-3"),
        ]
        let found = Self.violations { () throws(LedgerViolations) in
            try ledger.admissible([
                F.transaction(.opening, F.at(9), kg: 10, document: "OPEN-1"),
                F.transaction(.receipt, F.at(9, 1), kg: 10, document: "GRN-1"),
            ])
        }
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("0 time before cut-off") == true)
        #expect(found.first?.contains("(CS-2)") == true)
    }

    @Test(
        "decimal digits are written as String spells them",
        arguments: [0, 7, -7, 10, 99, 100, 1_796_112_000_000, -1_796_112_000_000, Int64.max, Int64.min])
    func decimal(value: Int64) {
        var bytes: [UInt8] = [0x41]
        LedgerTransaction.appendDecimal(value, to: &bytes)
        #expect(String(decoding: bytes.dropFirst(), as: UTF8.self) == String(value))
        #expect(LedgerTransaction.decimalLength(value) == String(value).count)
    }

    @Test("the canonical text of an instant before 1970 still carries its digits' count")
    func canonicalTimeBefore1970() {
        let early = F.transaction(.receipt, Date(timeIntervalSince1970: -1.5), kg: 1, document: "A")
        #expect(early.canonicalText.contains(";time=5:-1500;lot=4:DY-1;"))
    }
}
