/// RFC 4180 records read straight from a text's UTF-8 bytes, for the ledger import's hot path.
///
/// yaslab/CSV.swift reads the same records (the differential test holds the two equal), but it builds
/// each field one Unicode scalar at a time: on a 2-core machine its reading alone, on both cores, came
/// to 135,000–197,000 rows/s, under the import's goal of 150,000 before a single row was checked or
/// written. Every byte that ends a field or a record (`,` `"` CR LF) is ASCII, and UTF-8 never uses an
/// ASCII byte inside a longer character, so a field is a run of bytes between them.
///
/// What it reads, as the library does with its defaults: a field that starts with `"` is quoted,
/// ends at a `"` before a comma, a line break or the end, and has `""` for a quote; any other field
/// ends at a comma or a line break (CR LF, CR or LF) and keeps its quotes as they are. Blanks are kept.
/// One difference, on malformed text only: a closing quote followed by something else keeps both (the
/// library drops the character after it).
enum RFC4180Bytes {
    /// A text read as records.
    struct Records: Sendable {
        /// Each record with the line it starts on (1-based, every CR LF, CR or LF one line, those inside
        /// quoted fields too).
        var rows: [(line: Int, fields: [String])] = []
        /// The line after the last record.
        var nextLine = 1
        /// The text ends inside a quoted field: the last record's last field took in the rest.
        var unclosedQuote = false
    }

    static func records(_ text: String) -> Records {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes, keepsFields: true)
            var records = Records()
            while let (line, fields) = reader.next() { records.rows.append((line, fields)) }
            records.nextLine = reader.line
            records.unclosedQuote = reader.unclosedQuote
            return records
        }
    }

    /// The first record's fields (a file's header), nil for an empty text.
    static func header(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes, keepsFields: true)
            return reader.next()?.1
        }
    }

    /// Where `bytes` may be cut into up to `count` pieces of about equal size: each offset is where a record
    /// starts, as reading from the beginning finds them (a quote in a quoted field, or further into an
    /// unquoted one, never fools it). Fewer where the records are too long.
    static func cuts(_ bytes: UnsafeBufferPointer<UInt8>, into count: Int) -> [Int] {
        var reader = Reader(bytes: bytes, keepsFields: false)
        var cuts: [Int] = []
        while cuts.count < count - 1, reader.next() != nil {
            if reader.offset >= bytes.count * (cuts.count + 1) / count, reader.offset < bytes.count {
                cuts.append(reader.offset)
            }
        }
        return cuts
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0
        /// The line the next record starts on.
        var line = 1
        /// Fields are made; without, the records are only walked (each is then one empty field).
        let keepsFields: Bool
        /// The text ended inside a quoted field.
        var unclosedQuote = false
        /// A quoted field's bytes once a `""` must be undoubled; kept between fields so its storage is reused.
        var scratch: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>, keepsFields: Bool) {
            self.bytes = bytes
            self.keepsFields = keepsFields
        }

        static let quote = UInt8(ascii: "\"")
        static let comma = UInt8(ascii: ",")
        static let cr: UInt8 = 0x0D
        static let lf: UInt8 = 0x0A

        mutating func next() -> (Int, [String])? {
            guard offset < bytes.count else { return nil }
            let start = line
            var fields: [String] = []
            if keepsFields { fields.reserveCapacity(20) }
            while true {
                let (field, recordEnds) = offset < bytes.count && bytes[offset] == Self.quote ? quoted() : plain()
                if keepsFields { fields.append(field) }
                if recordEnds { break }
            }
            line += 1
            return (start, fields)
        }

        /// Consumes the line break at `offset` (CR LF as one), if there is one.
        mutating func endOfLine() {
            if bytes[offset] == Self.cr, offset + 1 < bytes.count, bytes[offset + 1] == Self.lf { offset += 1 }
            offset += 1
        }

        /// A field up to a comma (consumed; the record goes on) or a line break or the end (the record ends).
        mutating func plain() -> (String, Bool) {
            let start = offset
            while offset < bytes.count {
                let byte = bytes[offset]
                if byte == Self.comma {
                    defer { offset += 1 }
                    return (text(start..<offset), false)
                }
                if byte == Self.cr || byte == Self.lf {
                    let field = text(start..<offset)
                    endOfLine()
                    return (field, true)
                }
                offset += 1
            }
            return (text(start..<offset), true)
        }

        /// A field from its opening quote (at `offset`) to its closing one and what follows it.
        mutating func quoted() -> (String, Bool) {
            offset += 1
            var start = offset
            // Only a field with `""` (or a malformed quote) is copied; the others are one run of the text.
            scratch.removeAll(keepingCapacity: true)
            var copied = false
            while offset < bytes.count {
                let byte = bytes[offset]
                if byte == Self.quote {
                    let after = offset + 1
                    let next = after < bytes.count ? bytes[after] : nil
                    if next == nil || next == Self.comma || next == Self.cr || next == Self.lf {
                        let field = copied ? finish(start..<offset) : text(start..<offset)
                        offset = after
                        guard next != nil else { return (field, true) }
                        if next == Self.comma {
                            offset += 1
                            return (field, false)
                        }
                        endOfLine()
                        return (field, true)
                    }
                    // `""` is one quote in the field. Any other byte after a quote is malformed: the quote and that
                    // byte are both kept, and the field reads on as quoted.
                    if keepsFields { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<after])) }
                    copied = true
                    offset = next == Self.quote ? after + 1 : after
                    start = offset
                    continue
                }
                if byte == Self.lf || (byte == Self.cr && !(offset + 1 < bytes.count && bytes[offset + 1] == Self.lf)) {
                    line += 1
                }
                offset += 1
            }
            // The end inside a quoted field: the rest of the text is the field (the caller reports the quote).
            unclosedQuote = true
            return (copied ? finish(start..<offset) : text(start..<offset), true)
        }

        func text(_ range: Range<Int>) -> String {
            keepsFields ? String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) : ""
        }

        /// The copied part and `range` after it, as one field.
        mutating func finish(_ range: Range<Int>) -> String {
            guard keepsFields else { return "" }
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
            return String(decoding: scratch, as: UTF8.self)
        }
    }
}
