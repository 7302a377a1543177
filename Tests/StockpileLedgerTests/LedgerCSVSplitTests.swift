import Foundation
import StockpileDomain
import Testing

@testable import StockpileLedger

/// A large ledger file is read in two halves at once: the records, their lines and every error must be
/// what reading it in one piece gives.
@Suite("Reading a large ledger file in two halves")
struct LedgerCSVSplitTests {
    static let header =
        "record,time,lot,material,location,quantity_kg,container_kind,container_count,tare_per_container_kg,name,"
        + "hygroscopic,actor,document,comment"

    /// Over 1 MiB: receipts whose comments hold commas, quotes and line breaks (CRLF and LF), with bad
    /// rows in both halves (a non-number, an unknown record, a short row).
    static func file(rows: Int, lineBreak: String = "\r\n") -> String {
        var lines = [header, "material,,,DY2O3,,,,,,Dy2O3,yes,,,", "lot,,L1,DY2O3,bay-1,,drum,3,18,,,,,"]
        for index in 0..<rows {
            let time = UTCTimestamp.text(Date(timeIntervalSince1970: 1_767_225_600 + Double(index)))
            switch index % 997 {
            case 13: lines.append("receipt,\(time),L1,,bay-1,twelve,,,,,,clerk,GRN-\(index),")
            case 501: lines.append("recipt,\(time),L1,,bay-1,1,,,,,,clerk,GRN-\(index),")
            case 777: lines.append("receipt,\(time),L1")
            default:
                let comment =
                    index % 5 == 0 ? "\"pallet \(index),\r\nchecked \"\"twice\"\"\nby the gate\"" : "pallet \(index)"
                lines.append("receipt,\(time),L1,,bay-1,12.5,,,,,,clerk,GRN-\(index),\(comment)")
            }
        }
        return lines.joined(separator: lineBreak) + lineBreak
    }

    @Test("records, lines and errors are those of a reading in one piece", arguments: ["\r\n", "\n"])
    func halvesMatchTheWhole(lineBreak: String) throws {
        let text = Self.file(rows: 14_000, lineBreak: lineBreak)
        #expect(text.utf8.count > LedgerCSV.parallelThreshold)
        #expect(LedgerCSV.split(text, into: 2).count == 2)
        let whole = try LedgerCSV.parse(text, file: "big.csv", parallel: false)
        let halves = try LedgerCSV.parse(text, file: "big.csv", parallel: true)
        #expect(halves == whole)
        let bad = (0..<14_000).filter { [13, 501, 777].contains($0 % 997) }
        #expect(whole.rows.count == 2 + 14_000 - bad.count)
        // Errors from both halves, each at its own line (every fifth receipt spans three lines).
        #expect(whole.errors.count == bad.count)
        #expect(Set(whole.errors.map(\.line)).count == bad.count)
        #expect(whole.errors.contains { $0.line > whole.rows[whole.rows.count / 2].line })
        // The last record starts on the line after the file's second-to-last line feed.
        let last = try #require(whole.rows.last)
        #expect(last.line == text.utf8.count { $0 == 0x0A })
    }

    @Test("the split lands at a record boundary, never inside a quoted field that spans the middle")
    func splitOutsideQuotes() throws {
        let long = String(repeating: "x,\n", count: 400_000)  // one field of 1.2 MB with commas and newlines
        let text =
            Self.header + "\n" + "receipt,2026-01-01T00:00:00Z,L1,,bay-1,1,,,,,,clerk,GRN-1,\"\(long)\"\n"
            + "receipt,2026-01-01T00:00:01Z,L1,,bay-1,1,,,,,,clerk,GRN-2,after\n"
        let pieces = LedgerCSV.split(text, into: 2)
        #expect(pieces.joined() == text)
        #expect(pieces.count == 2 && pieces.last?.hasPrefix("receipt,2026-01-01T00:00:01Z") == true)
        let halves = try LedgerCSV.parse(text, file: "long.csv", parallel: true)
        #expect(halves == (try LedgerCSV.parse(text, file: "long.csv", parallel: false)))
        #expect(halves.rows.map(\.line) == [2, 400_003])
        #expect(halves.errors.isEmpty)
    }

    @Test("pieces of a file with multi-byte characters are whole text that joins back to the file")
    func splitKeepsCharacters() {
        // "Ø" and "✓" are 2 and 3 UTF-8 bytes: a cut counted in bytes must still fall between characters.
        let text = (0..<3000).map { "receipt,Ø\($0),✓,\"a \"\"b\"\"\"\r\n" }.joined()
        for count in [2, 3, 4, 7] {
            let pieces = LedgerCSV.split(text, into: count)
            #expect(pieces.count == count)
            #expect(pieces.joined() == text)
            #expect(pieces.dropLast().allSatisfy { $0.hasSuffix("\r\n") })
        }
    }
}
