public import StockpileDomain
public import StockpileStore

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
    public static func run(
        text: String, file: String, locations: [LedgerLocation], database: AppDatabase
    ) async throws -> Outcome {
        let parsed = try LedgerCSV.parse(text, file: file)
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
            // Nothing will be written; check the readable rows too, so every error shows at once.
            var errors = parsed.errors
            let ledger = try await database.ledger(locations: locations)
            do {
                _ = try ledger.admissible(records: records)
            } catch {
                errors += located(error)
            }
            throw LedgerFileErrors(errors.sorted { ($0.line, $0.column ?? 0) < ($1.line, $1.column ?? 0) })
        }
        do {
            let added = try await database.appendLedger(records, locations: locations)
            return Outcome(rows: parsed.rows.count, added: added.count)
        } catch let violations as LedgerViolations {
            throw LedgerFileErrors(located(violations))
        }
    }
}
