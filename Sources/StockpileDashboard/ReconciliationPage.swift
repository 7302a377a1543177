public import Foundation

/// The latest reconciliation report, with its downloads.
public struct ReconciliationPage: Sendable, Equatable {
    /// The page's chrome.
    public var chrome: PageChrome
    /// The report; nil when none has been made yet.
    public var report: Report?
    /// The `at` query value the page was asked with, repeated in the download links; nil for the latest.
    public var at: String?

    /// A reconciliation page.
    public init(chrome: PageChrome, report: Report?, at: String? = nil) {
        self.chrome = chrome
        self.report = report
        self.at = at
    }

    /// The last ledger transaction the report's book includes.
    public struct CutOff: Sendable, Equatable {
        /// Its time.
        public var time: Date
        /// Its document reference.
        public var document: String

        /// A cut-off.
        public init(time: Date, document: String) {
            self.time = time
            self.document = document
        }
    }

    /// One location's line.
    public struct Row: Sendable, Equatable {
        /// The location.
        public var location: String
        /// The book weight, kg.
        public var bookKg: Double
        /// The weighed weight, kg.
        public var physicalKg: Double?
        /// The counted weight (hand-weighed locations), kg.
        public var countedKg: Double?
        /// Physical (or counted) minus book, kg.
        public var varianceKg: Double?
        /// The variance as a percentage of the book.
        public var variancePercent: Double?
        /// The tolerance applied, kg.
        public var toleranceKg: Double
        /// How the tolerance was found, in words.
        public var toleranceRule: String
        /// The verdict.
        public var status: StockStatus

        /// A row.
        public init(
            location: String, bookKg: Double, physicalKg: Double?, countedKg: Double?, varianceKg: Double?,
            variancePercent: Double?, toleranceKg: Double, toleranceRule: String, status: StockStatus
        ) {
            self.location = location
            self.bookKg = bookKg
            self.physicalKg = physicalKg
            self.countedKg = countedKg
            self.varianceKg = varianceKg
            self.variancePercent = variancePercent
            self.toleranceKg = toleranceKg
            self.toleranceRule = toleranceRule
            self.status = status
        }
    }

    /// One material's totals.
    public struct MaterialTotal: Sendable, Equatable {
        /// The material.
        public var material: String
        /// Its book weight, kg.
        public var bookKg: Double
        /// Its physical weight, kg; nil when a location of it has none.
        public var physicalKg: Double?
        /// Physical minus book, kg.
        public var varianceKg: Double?

        /// A material's totals.
        public init(material: String, bookKg: Double, physicalKg: Double?, varianceKg: Double?) {
            self.material = material
            self.bookKg = bookKg
            self.physicalKg = physicalKg
            self.varianceKg = varianceKg
        }
    }

    /// A report.
    public struct Report: Sendable, Equatable {
        /// The instant it reconciles.
        public var asOf: Date
        /// Its book's cut-off; nil when the ledger had no transactions.
        public var cutOff: CutOff?
        /// The report's SHA-256, hex.
        public var sha256: String
        /// Its rows.
        public var rows: [Row]
        /// Its totals per material.
        public var totals: [MaterialTotal]

        /// A report.
        public init(asOf: Date, cutOff: CutOff?, sha256: String, rows: [Row], totals: [MaterialTotal]) {
            self.asOf = asOf
            self.cutOff = cutOff
            self.sha256 = sha256
            self.rows = rows
            self.totals = totals
        }
    }
}
