import CSV
import Foundation
public import StockpileDomain
import Synchronization

/// The ledger's CSV file (RFC 4180, documented in `docs/ledger.md`): one record per row, the
/// `record` column saying which (`material`, `lot`, or a transaction kind), columns found by their
/// header name in any order.
///
/// Rows are read from the text's bytes (`RFC4180Bytes`, held equal to yaslab/CSV.swift's reading by a
/// differential test), which count the line each record starts on, line breaks in quoted fields
/// included, so every error names the line a text editor shows.
public enum LedgerCSV {
    /// Every column, in the order `export` writes them.
    public static let columns = [
        "record", "time", "lot", "material", "location", "destination", "quantity_kg", "container_kind",
        "container_count", "tare_per_container_kg", "name", "hygroscopic", "humidity_limit_rh",
        "moisture_allowance_pct", "actor", "document", "reason", "approver", "comment",
    ]

    /// A column by its place in `columns`: a row's fields are found through an array built once per file,
    /// not a dictionary lookup of the column's name for every field of every row.
    enum Column: Int, CaseIterable {
        case record, time, lot, material, location, destination, quantityKg, containerKind, containerCount
        case tarePerContainerKg, name, hygroscopic, humidityLimitRH, moistureAllowancePct, actor, document, reason
        case approver, comment

        var name: String { LedgerCSV.columns[rawValue] }
    }

    /// The columns a file must have: the rest may be left out when no row needs them.
    public static let requiredColumns: Set<String> = ["record"]

    /// The column a ledger field is reported under.
    public static func column(forField field: String) -> String {
        switch field {
        case "quantity", "kg": "quantity_kg"
        case "kind": "record"
        default: field
        }
    }

    /// A record and the line it starts on.
    public struct Row: Hashable, Sendable {
        public var line: Int
        public var record: LedgerRecord
    }

    /// A parsed file: the records that could be read, what is wrong with the others, and where each
    /// column is (1-based) in its header.
    public struct File: Hashable, Sendable {
        public var rows: [Row]
        /// Rows that could not be read as a record, each at its line and column. An import writes
        /// nothing while there are any, but still checks the readable rows against the ledger so that
        /// the clerk sees every error at once.
        public var errors: [LedgerFileError]
        public var columnNumbers: [String: Int]
    }

    /// Parses `text`; `file` names it in errors. Throws only when the file as a whole is unusable (empty,
    /// a bad header, an unclosed quote); a bad row is reported in `File.errors`.
    ///
    /// A large file is read in two halves at once, split at a record boundary: the result, line numbers
    /// and errors included, is the same as reading it in one piece (`parallel: false`).
    public static func parse(
        _ text: String, file: String, parallel: Bool = true
    ) throws(LedgerFileErrors) -> File {
        let pieces = try Pieces(text, file: file, count: parallel && text.utf8.count >= parallelThreshold ? 2 : 1)
        return try pieces.assemble(concurrently(pieces.count) { pieces.read($0) })
    }

    /// A file cut into pieces at record boundaries, its header already read: each piece's records can be
    /// read on its own, in any order or at once, and `assemble` gives what reading the whole would. An
    /// import reads the first pieces and writes them while the rest are read.
    public struct Pieces: Sendable {
        public let file: String
        let texts: [String]
        let headerFields: [String]
        /// Each `Column`'s 0-based place in a row, −1 when the file has no such column.
        let positions: [Int]
        /// Where each column is (1-based) in the header.
        public let columnNumbers: [String: Int]

        /// How many pieces there are.
        public var count: Int { texts.count }

        /// One piece read: its records and their errors, with lines counted from the piece's first line (1).
        public struct Piece: Sendable {
            public var rows: [Row] = []
            public var errors: [LedgerFileError] = []
            /// The line after the piece's last record, and the line its last record (of any kind) starts on.
            var nextLine = 1
            var lastLine: Int?
            /// The piece ends inside a quoted field, which took in the rest of the file (only a last piece can:
            /// the others end where a record does).
            var unclosedQuote = false
            /// Records only: nothing in the piece is wrong.
            public var isClean: Bool { errors.isEmpty && !unclosedQuote }
        }

        /// Cuts `text` into at most `count` pieces and reads its header.
        public init(_ text: String, file: String, count: Int) throws(LedgerFileErrors) {
            self.file = file
            texts = LedgerCSV.split(text, into: max(1, count))
            func failure(_ message: String, line: Int = 1) -> LedgerFileErrors {
                LedgerFileErrors([
                    LedgerFileError(file: file, line: line, column: nil, columnName: nil, message: message)
                ])
            }
            guard let header = RFC4180Bytes.header(texts[0]) else { throw failure("the file is empty") }
            headerFields = header
            var errors: [LedgerFileError] = []
            var index: [String: Int] = [:]
            for (position, name) in header.enumerated() {
                let trimmed = name.trimmedBlanks
                if !columns.contains(trimmed) {
                    errors.append(
                        LedgerFileError(
                            file: file, line: 1, column: position + 1, columnName: trimmed,
                            message: "unknown column (the columns are: \(columns.joined(separator: ", ")))"))
                } else if index.updateValue(position, forKey: trimmed) != nil {
                    errors.append(
                        LedgerFileError(
                            file: file, line: 1, column: position + 1, columnName: trimmed,
                            message: "the column appears twice"))
                }
            }
            for required in requiredColumns.sorted() where index[required] == nil {
                errors.append(
                    LedgerFileError(
                        file: file, line: 1, column: nil, columnName: required, message: "required column is missing"))
            }
            // Header mistakes are reported with whatever is wrong with the file as a whole (`assemble`).
            positions = errors.isEmpty ? Column.allCases.map { index[$0.name] ?? -1 } : []
            columnNumbers = index.mapValues { $0 + 1 }
            headerErrors = errors
        }

        let headerErrors: [LedgerFileError]

        /// Reads piece `index`: the first piece's first record is the header and is not a row.
        public func read(_ index: Int) -> Piece {
            var piece = Piece()
            let raw = RFC4180Bytes.records(texts[index])
            piece.nextLine = raw.nextLine
            piece.lastLine = raw.rows.last?.line
            piece.unclosedQuote = raw.unclosedQuote
            guard headerErrors.isEmpty else { return piece }
            let body = index == 0 ? raw.rows.dropFirst() : raw.rows[...]
            (piece.rows, piece.errors) = records(body, file: file, columns: headerFields.count, positions: positions)
            return piece
        }

        /// The file from its pieces, read (`read`) in order: lines made file-wide, and the whole-file
        /// mistakes (an unclosed quote, a bad header) thrown together.
        public func assemble(_ pieces: [Piece]) throws(LedgerFileErrors) -> File {
            var fatal: [LedgerFileError] = []
            var rows: [Row] = []
            var errors: [LedgerFileError] = []
            var line = 1
            var lastLine: Int?
            for piece in pieces {
                let offset = line - 1
                rows += piece.rows.map { Row(line: $0.line + offset, record: $0.record) }
                errors += piece.errors.map {
                    var error = $0
                    error.line += offset
                    return error
                }
                lastLine = piece.lastLine.map { $0 + offset } ?? lastLine
                line = piece.nextLine + offset
            }
            if pieces.contains(where: \.unclosedQuote), let lastLine {
                fatal.append(
                    LedgerFileError(
                        file: file, line: lastLine, column: nil, columnName: nil,
                        message: "a quoted field is never closed: the rest of the file was read into it"))
            }
            fatal += headerErrors
            if !fatal.isEmpty { throw LedgerFileErrors(fatal) }
            return File(rows: rows, errors: errors, columnNumbers: columnNumbers)
        }
    }

    /// Files from this size (bytes) are read in two halves at once; smaller ones are not worth a thread.
    static let parallelThreshold = 1 << 20

    /// `text` in up to `count` pieces of about equal size, each cut where a record starts
    /// (`RFC4180Bytes.cuts`). Fewer pieces where the records are too long.
    static func split(_ text: String, into count: Int) -> [String] {
        guard count > 1 else { return [text] }
        // Over the UTF-8 bytes in place: this runs before any piece can be read, so every byte counts.
        var text = text
        return text.withUTF8 { bytes in
            var pieces: [String] = []
            var start = 0
            for cut in RFC4180Bytes.cuts(bytes, into: count) + [bytes.count] {
                // Records start after a line break, an ASCII byte, so each piece is whole UTF-8.
                pieces.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<cut]), as: UTF8.self))
                start = cut
            }
            return pieces
        }
    }

    /// The records of `raw` (lines already file-wide), and what is wrong with the others.
    static func records(
        _ raw: ArraySlice<(line: Int, fields: [String])>, file: String, columns: Int, positions: [Int]
    ) -> (rows: [Row], errors: [LedgerFileError]) {
        var rows: [Row] = []
        var errors: [LedgerFileError] = []
        rows.reserveCapacity(raw.count)
        for entry in raw {
            if entry.fields.allSatisfy({ $0.trimmedBlanks.isEmpty }) { continue }
            if entry.fields.count != columns {
                errors.append(
                    LedgerFileError(
                        file: file, line: entry.line, column: nil, columnName: nil,
                        message: "\(entry.fields.count) fields where the header has \(columns)"))
                continue
            }
            var fields = RowFields(file: file, line: entry.line, fields: entry.fields, positions: positions)
            if let record = fields.record() { rows.append(Row(line: entry.line, record: record)) }
            errors += fields.errors
        }
        return (rows, errors)
    }

    /// `work(0..<count)`, the parts at once on as many threads, results in order. The parts are pure
    /// computations on values, so they share nothing; the caller's thread takes part and waits only for
    /// the others' CPU work, never for I/O.
    static func concurrently<T: Sendable>(_ count: Int, _ work: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(work) }
        let results = Mutex<[Int: T]>([:])
        DispatchQueue.concurrentPerform(iterations: count) { part in
            let value = work(part)
            results.withLock { $0[part] = value }
        }
        return results.withLock { all in (0..<count).map { all[$0]! } }
    }

    /// The rows of any RFC 4180 text, as fields.
    static func records(_ text: String) throws -> [[String]] {
        let reader = try CSVReader(string: text, hasHeaderRow: false)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    /// One row's fields by column name, collecting what is wrong with them.
    struct RowFields {
        let file: String
        let line: Int
        let fields: [String]
        /// Each `Column`'s 0-based place in the row, −1 when the file has no such column.
        let positions: [Int]
        var errors: [LedgerFileError] = []

        init(file: String, line: Int, fields: [String], positions: [Int]) {
            self.file = file
            self.line = line
            self.fields = fields
            self.positions = positions
        }

        mutating func fail(_ column: Column, _ message: String) {
            let position = positions[column.rawValue]
            errors.append(
                LedgerFileError(
                    file: file, line: line, column: position >= 0 ? position + 1 : nil, columnName: column.name,
                    message: message))
        }

        func has(_ column: Column) -> Bool { positions[column.rawValue] >= 0 }

        func text(_ column: Column) -> String {
            let position = positions[column.rawValue]
            guard position >= 0, position < fields.count else { return "" }
            return fields[position]
        }

        mutating func required(_ column: Column) -> String {
            let value = text(column).trimmedBlanks
            if value.isEmpty { fail(column, has(column) ? "required" : "required column is missing") }
            return value
        }

        mutating func number(_ column: Column, required: Bool = true) -> Double? {
            let value = text(column).trimmedBlanks
            if value.isEmpty {
                if required { fail(column, has(column) ? "required" : "required column is missing") }
                return nil
            }
            guard let number = Double(value), number.isFinite else {
                fail(column, "\"\(value)\" is not a number")
                return nil
            }
            return number
        }

        mutating func integer(_ column: Column) -> Int? {
            let value = required(column)
            guard !value.isEmpty else { return nil }
            guard let number = Int(value) else {
                fail(column, "\"\(value)\" is not a whole number")
                return nil
            }
            return number
        }

        mutating func time() -> Date? {
            let value = required(.time)
            guard !value.isEmpty else { return nil }
            guard let date = UTCTimestamp.parse(value) else {
                fail(.time, "\"\(value)\" is not an ISO 8601 time (2026-12-01T08:00:00Z)")
                return nil
            }
            return date
        }

        mutating func record() -> LedgerRecord? {
            let kind = required(.record)
            switch kind {
            case "":
                return nil
            case "material":
                let code = required(.material)
                let name = required(.name)
                let hygroscopicText = required(.hygroscopic).lowercased()
                var hygroscopic = false
                switch hygroscopicText {
                case "yes", "true": hygroscopic = true
                case "no", "false": hygroscopic = false
                case "": break
                default: fail(.hygroscopic, "\"\(hygroscopicText)\" is not yes or no")
                }
                let limit = number(.humidityLimitRH, required: false)
                let allowance = number(.moistureAllowancePct, required: false) ?? 0
                guard errors.isEmpty else { return nil }
                return .material(
                    Material(
                        code: code, name: name, hygroscopic: hygroscopic, humidityLimit: limit,
                        moistureAllowancePercent: allowance))
            case "lot":
                let id = required(.lot)
                let material = required(.material)
                let location = required(.location)
                let containerKind = required(.containerKind)
                let count = integer(.containerCount)
                let tare = number(.tarePerContainerKg)
                guard errors.isEmpty, let count, let tare else { return nil }
                return .lot(
                    Lot(
                        id: id, material: material, location: location, containerKind: containerKind,
                        containerCount: count, tarePerContainer: tare))
            default:
                guard let transactionKind = LedgerTransaction.Kind(rawValue: kind) else {
                    let kinds = ["material", "lot"] + LedgerTransaction.Kind.allCases.map(\.rawValue)
                    fail(.record, "unknown record \"\(kind)\" (one of: \(kinds.joined(separator: ", ")))")
                    return nil
                }
                let time = time()
                let lot = required(.lot)
                let location = required(.location)
                let destination = text(.destination).trimmedBlanks
                let quantity = number(.quantityKg)
                let actor = required(.actor)
                let document = required(.document)
                guard errors.isEmpty, let time, let quantity else { return nil }
                return .transaction(
                    LedgerTransaction(
                        kind: transactionKind, time: time, lot: lot, location: location,
                        destination: destination.isEmpty ? nil : destination, quantity: quantity, actor: actor,
                        document: document, comment: text(.comment),
                        reason: text(.reason).trimmedBlanks,
                        approver: text(.approver).trimmedBlanks))
            }
        }
    }

    // MARK: - Writing

    /// The ledger as a file `parse` reads back to the same records: materials, lots, then every
    /// transaction in the order recorded.
    public static func export(_ ledger: BookLedger) -> String {
        var lines = [columns.map(quote).joined(separator: ",")]
        func row(_ values: [String: String]) {
            lines.append(columns.map { quote(values[$0] ?? "") }.joined(separator: ","))
        }
        for material in ledger.materials.values.sorted(by: { $0.code < $1.code }) {
            row([
                "record": "material", "material": material.code, "name": material.name,
                "hygroscopic": material.hygroscopic ? "yes" : "no",
                "humidity_limit_rh": material.humidityLimit.map(number) ?? "",
                "moisture_allowance_pct": number(material.moistureAllowancePercent),
            ])
        }
        for lot in ledger.lots.values.sorted(by: { $0.id < $1.id }) {
            row([
                "record": "lot", "lot": lot.id, "material": lot.material, "location": lot.location,
                "container_kind": lot.containerKind, "container_count": String(lot.containerCount),
                "tare_per_container_kg": number(lot.tarePerContainer),
            ])
        }
        for transaction in ledger.transactions {
            row([
                "record": transaction.kind.rawValue, "time": UTCTimestamp.text(transaction.time),
                "lot": transaction.lot,
                "location": transaction.location, "destination": transaction.destination ?? "",
                "quantity_kg": number(transaction.quantity), "actor": transaction.actor,
                "document": transaction.document, "reason": transaction.reason, "approver": transaction.approver,
                "comment": transaction.comment,
            ])
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Shortest text that reads back as the same Double.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func quote(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    /// Without leading and trailing spaces and tabs. Foundation's `trimmingCharacters(in:)` bridges
    /// every field through `NSString`, which was a large share of an import; most fields have none.
    var trimmedBlanks: String {
        let utf8 = self.utf8
        func blank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        guard let first = utf8.first, let last = utf8.last, blank(first) || blank(last) else { return self }
        guard let start = utf8.firstIndex(where: { !blank($0) }) else { return "" }
        let end = utf8.lastIndex(where: { !blank($0) })!
        return String(self[start...end])
    }
}
