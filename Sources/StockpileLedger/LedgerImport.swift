public import StockpileDomain
public import StockpileStore
import Synchronization

/// `stockpile ledger import`: a ledger file into the store, all of it or nothing.
public enum LedgerImport {
    /// What an import did.
    public struct Outcome: Hashable, Sendable {
        /// Records in the file (not counting the header and blank lines).
        public var rows: Int
        /// Records written; 0 when the file was imported before.
        public var added: Int
    }

    /// Parses `text` and appends its records; any mistake (syntax, a value, or a ledger rule) throws
    /// `LedgerFileErrors` with every error at its line and column, and nothing is written.
    ///
    /// A large file is cut into pieces at record boundaries: the store writes the first while the rest
    /// are read, and rolls everything back if any piece has a mistake.
    public static func run(
        text: String, file: String, locations: [LedgerLocation], database: AppDatabase
    ) async throws -> Outcome {
        let pieces = try LedgerCSV.Pieces(
            text, file: file, count: text.utf8.count >= LedgerCSV.parallelThreshold ? piecesPerFile : 1)
        let read = ReadPieces(count: pieces.count)
        // nil: a piece had a mistake, or the store refused the batch (nothing was written either way).
        let added = try? await database.appendLedger(pieces: pieces.count, locations: locations) { index in
            let piece = pieces.read(index)
            read.keep(index, piece)
            return piece.isClean ? piece.rows.map(\.record) : nil
        }
        if let added {
            return Outcome(
                rows: (0..<pieces.count).reduce(0) { $0 + (read.piece($1)?.rows.count ?? 0) }, added: added.count)
        }
        // Every piece read (those the store did not ask for once one failed are read now): the file as a whole.
        let parsed = try pieces.assemble((0..<pieces.count).map { read.piece($0) ?? pieces.read($0) })
        func located(_ violations: LedgerViolations) -> [LedgerFileError] {
            violations.violations.map { violation in
                let column = LedgerCSV.column(forField: violation.field)
                return LedgerFileError(
                    file: file, line: parsed.rows[violation.entry].line, column: parsed.columnNumbers[column],
                    columnName: column, message: violation.message)
            }
        }
        let records = parsed.rows.map(\.record)
        if !parsed.errors.isEmpty {
            // Nothing was written; check the readable rows too, so every error shows at once.
            var errors = parsed.errors
            let ledger = try await database.ledger(locations: locations)
            do {
                _ = try ledger.admissible(records: records)
            } catch {
                errors += located(error)
            }
            throw LedgerFileErrors(errors.sorted { ($0.line, $0.column ?? 0) < ($1.line, $1.column ?? 0) })
        }
        // The file reads cleanly, so the store refused it: again in one piece, for its own error.
        do {
            let added = try await database.appendLedger(records, locations: locations)
            return Outcome(rows: parsed.rows.count, added: added.count)
        } catch let violations as LedgerViolations {
            throw LedgerFileErrors(located(violations))
        }
    }

    /// Pieces a large file is read in: enough that the store starts writing early, few enough that
    /// each is a sizable batch.
    static let piecesPerFile = 4

    /// The pieces the store asked for, kept for the file's line numbers afterwards.
    private final class ReadPieces: Sendable {
        private let pieces: Mutex<[Int: LedgerCSV.Pieces.Piece]>

        init(count: Int) { pieces = Mutex([:]) }

        func keep(_ index: Int, _ piece: LedgerCSV.Pieces.Piece) { pieces.withLock { $0[index] = piece } }
        func piece(_ index: Int) -> LedgerCSV.Pieces.Piece? { pieces.withLock { $0[index] } }
    }
}
