import CSV
import StockpileTestSupport
import Testing

@testable import StockpileLedger

/// The import reads its CSV from the bytes (`RFC4180Bytes`) for speed; yaslab/CSV.swift is the
/// reference those records must equal, field for field, and the lines are counted as a text editor shows them.
@Suite("The ledger's byte-level CSV reading")
struct RFC4180BytesTests {
    /// What the reference library reads.
    static func reference(_ text: String) throws -> [[String]] {
        let reader = try CSVReader(string: text, hasHeaderRow: false)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    @Test(
        "hand-written cases read as RFC 4180 says, as the library reads them",
        arguments: [
            ("", [[String]]()),
            ("a,b\r\n", [["a", "b"]]),
            ("a,b", [["a", "b"]]),
            ("a,b\nc,d\n", [["a", "b"], ["c", "d"]]),
            ("a\rb\r", [["a"], ["b"]]),
            ("\r\n\r\n", [[""], [""]]),
            (",,\r\n", [["", "", ""]]),
            ("\"a,b\",c\r\n", [["a,b", "c"]]),
            ("\"say \"\"hi\"\"\",x\r\n", [["say \"hi\"", "x"]]),
            ("\"\"\"\"", [["\""]]),
            ("\"\",\"\"\r\n", [["", ""]]),
            ("\"line\r\nbreak\",z\r\n", [["line\r\nbreak", "z"]]),
            ("a\"b,c\r\n", [["a\"b", "c"]]),
            (" \"a\" ,b\r\n", [[" \"a\" ", "b"]]),
            ("Dy₂O₃,é\r\n", [["Dy₂O₃", "é"]]),
            ("\"end\"", [["end"]]),
        ])
    func handWritten(text: String, expected: [[String]]) throws {
        #expect(RFC4180Bytes.records(text).rows.map(\.fields) == expected)
        #expect(try Self.reference(text) == expected)
    }

    @Test("each record starts on the line an editor shows it on, breaks in quoted fields counted")
    func lines() {
        let text = "h\r\n\"two\r\nlines\"\r\nx\n\"cr\ronly\"\ry\r\n\"lf\nonly\",\"and\r\n\r\nmore\"\r\nlast"
        let records = RFC4180Bytes.records(text)
        #expect(records.rows.map(\.line) == [1, 2, 4, 5, 7, 8, 12])
        #expect(records.nextLine == 13)
        #expect(records.rows.map(\.fields.count) == [1, 1, 1, 1, 1, 2, 1])
        #expect(!records.unclosedQuote)
    }

    @Test("the first record is the header")
    func header() {
        #expect(RFC4180Bytes.header("record,\"ti,me\"\r\nlot,x\r\n") == ["record", "ti,me"])
        #expect(RFC4180Bytes.header("") == nil)
    }

    @Test("an unclosed quote reads the rest of the text into its field, as the library does")
    func unclosedQuote() throws {
        let text = "a,\"open\r\nb,c\r\n"
        let records = RFC4180Bytes.records(text)
        #expect(records.rows.map(\.fields) == [["a", "open\r\nb,c\r\n"]])
        #expect(records.unclosedQuote)
        // A quote further into an unquoted field opens nothing.
        #expect(!RFC4180Bytes.records("a\"b,c\r\n").unclosedQuote)
        #expect(try Self.reference(text) == [["a", "open\r\nb,c\r\n"]])
    }

    @Test("a closing quote followed by other text keeps both, and the field reads on as quoted")
    func malformedQuote() {
        #expect(RFC4180Bytes.records("\"ab\"x,y\"\r\nz\r\n").rows.map(\.fields) == [["ab\"x,y"], ["z"]])
    }

    @Test("cuts fall where records start, past quoted line breaks and quotes inside unquoted fields")
    func cuts() {
        let text = "a\"b,1\r\n\"x\r\ny\",2\r\nc,3\nd,4\re,5"
        var copy = text
        let cuts = copy.withUTF8 { RFC4180Bytes.cuts($0, into: 5) }
        // The records start at bytes 0, 7, 17, 21 and 25; fifths of the 28 bytes end at 5, 11, 16 and 22.
        #expect(cuts == [7, 17, 21, 25])
        // The quote in "a\"b" does not open a field: were it counted, the cut after it would fall inside "x…y".
        var stray = "a\"b,1\n\"x\ny\",2\nc,3\n"
        #expect(stray.withUTF8 { RFC4180Bytes.cuts($0, into: 3) } == [6, 14])
    }

    /// 2,000 random files of well-formed records: fields of letters, blanks, commas, quotes, CR, LF and
    /// non-ASCII text, quoted where RFC 4180 needs it (and sometimes where it does not), any line ending.
    @Test("random well-formed files read exactly as the library reads them")
    func differential() throws {
        var random = SplitMix64(seed: 0x4180_2026)
        let pieces = ["a", "Z", "7", " ", "\t", ",", "\"", "\r", "\n", "\r\n", "é", "₂", "🙂", "-"]
        for _ in 0..<2_000 {
            var text = ""
            let records = Int.random(in: 1...6, using: &random)
            for record in 0..<records {
                let fields = Int.random(in: 1...5, using: &random)
                var row: [String] = []
                for _ in 0..<fields {
                    var field = ""
                    for _ in 0..<Int.random(in: 0...6, using: &random) {
                        field += pieces[Int.random(in: 0..<pieces.count, using: &random)]
                    }
                    let mustQuote = field.unicodeScalars.contains { ",\"\r\n".unicodeScalars.contains($0) }
                    if mustQuote || Int.random(in: 0..<4, using: &random) == 0 {
                        row.append("\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
                    } else {
                        row.append(field)
                    }
                }
                text += row.joined(separator: ",")
                if record < records - 1 || Bool.random(using: &random) {
                    text += ["\r\n", "\n", "\r"][Int.random(in: 0..<3, using: &random)]
                }
            }
            let ours = RFC4180Bytes.records(text).rows.map(\.fields)
            #expect(try ours == Self.reference(text), "\(text.debugDescription)")
        }
    }
}
