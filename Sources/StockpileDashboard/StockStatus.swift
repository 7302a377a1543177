/// The verdict on a bay or a reconciliation row, as the page shows it: a word and a colour.
///
/// The raw values are the reconciliation's own words, so `StockStatus(rawValue: status.rawValue)`
/// carries a `ReconciliationStatus` across; `unknown` is for a bay with no verdict yet.
public enum StockStatus: String, Sendable, Hashable, CaseIterable {
    /// Physical equals book to the scale's resolution.
    case ok
    /// A variance inside the scale's tolerance.
    case withinTolerance = "within tolerance"
    /// Less than the book, beyond tolerance.
    case shortage
    /// More than the book, beyond tolerance.
    case overage
    /// More than the book, explained by the lots' moisture gain.
    case moistureGain = "moisture gain"
    /// The scale never gave a stable reading.
    case noStableReading = "no stable reading"
    /// The scale was not heard.
    case scaleOffline = "scale offline"
    /// A hand-weighed location without a count.
    case notCounted = "not counted"
    /// No verdict.
    case unknown

    /// Whether an auditor has something to follow up (the reconciliation's own rule; unknown counts).
    public var isDiscrepancy: Bool {
        switch self {
        case .ok, .withinTolerance, .moistureGain: false
        case .shortage, .overage, .noStableReading, .scaleOffline, .notCounted, .unknown: true
        }
    }

    /// The colour the status is shown in, beside its word (colour is never the only carrier).
    public var tone: Tone {
        switch self {
        case .ok, .withinTolerance: .green
        case .moistureGain: .amber
        case .shortage, .overage: .red
        case .noStableReading, .scaleOffline, .notCounted, .unknown: .grey
        }
    }
}

/// The four colours a status can have; the raw value is the CSS class's suffix (`tone-green`).
public enum Tone: String, Sendable, Hashable, CaseIterable {
    /// All is well.
    case green
    /// Look at it during the shift.
    case amber
    /// Act now.
    case red
    /// Nothing known.
    case grey
}
