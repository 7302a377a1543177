/// A mistake in a ledger file, at its line and column, for the clerk who fixes it.
///
/// Prints as `FILE:LINE:COLUMN: COLUMN-NAME: MESSAGE`. `line` is the physical line the record starts on
/// (a quoted field may span several); `column` is 1-based.
public struct LedgerFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?
    /// The column's header name, when the error is about one field.
    public var columnName: String?
    public var message: String

    public init(file: String, line: Int, column: Int?, columnName: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.message = message
    }

    public var description: String {
        let place = column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
        return columnName.map { "\(place): \($0): \(message)" } ?? "\(place): \(message)"
    }
}

/// Every mistake of a refused ledger file, in file order: nothing was written.
public struct LedgerFileErrors: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [LedgerFileError]

    public init(_ errors: [LedgerFileError]) {
        self.errors = errors
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
