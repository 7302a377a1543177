/// What went wrong opening or reading the store, beyond SQLite's own `DatabaseError`.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem; open-ended like GRDB's result codes.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// The code's name.
        public var rawValue: String
        /// A code named `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The file does not exist.
        public static let missing = Code(rawValue: "missing")
        /// The file's migrations differ from this build's.
        public static let schemaMismatch = Code(rawValue: "schemaMismatch")
        /// The path is something else: a directory, an unreadable file, a file that is not SQLite.
        public static let notAStore = Code(rawValue: "notAStore")
        /// A value was refused before it was written (a silence without a matcher, an id already taken).
        public static let refused = Code(rawValue: "refused")
        /// A stored value (an alert's JSON body) cannot be read back.
        public static let unreadableRecord = Code(rawValue: "unreadableRecord")
    }

    /// The kind of problem.
    public var code: Code
    /// What happened, for a person.
    public var description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
