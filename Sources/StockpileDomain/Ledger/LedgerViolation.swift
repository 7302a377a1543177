/// Why the ledger refuses a transaction: which one (its index in the batch offered), which field, and why.
///
/// An importer maps `entry` back to its file line and `field` to its column; a batch is refused whole
/// with every violation found, so a clerk fixes the file once.
public struct LedgerViolation: Hashable, Sendable, CustomStringConvertible {
    /// The open set of reasons, for code that reacts to one.
    public enum Code: String, Hashable, Sendable {
        case unknownLot = "unknown lot"
        case unknownLocation = "unknown location"
        case unknownMaterial = "unknown material"
        case invalidQuantity = "invalid quantity"
        case negativePosition = "negative position"
        case duplicateDocument = "duplicate document"
        case beforeCutOff = "before cut-off"
        case wrongLocation = "wrong location"
        case openingNotFirst = "opening not first"
        case missingField = "missing field"
        case transferNotWhole = "transfer not whole"
        case segregationOfDuties = "segregation of duties"
        case conflictingReference = "conflicting reference"
    }

    /// The transaction's index in the batch offered to the ledger.
    public var entry: Int
    /// The field at fault, by its ledger column name (`quantity`, `location`, `approver` …).
    public var field: String
    public var code: Code
    public var message: String

    public init(entry: Int, field: String, code: Code, message: String) {
        self.entry = entry
        self.field = field
        self.code = code
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Every violation a refused batch has, in batch order.
public struct LedgerViolations: Error, Hashable, Sendable, CustomStringConvertible {
    public var violations: [LedgerViolation]

    public init(_ violations: [LedgerViolation]) {
        self.violations = violations
    }

    public var description: String {
        violations.map { "entry \($0.entry): \($0)" }.joined(separator: "\n")
    }
}
