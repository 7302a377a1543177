/// The verdict on one location: does what is there agree with the book?
public enum ReconciliationStatus: String, Hashable, Sendable, CaseIterable, Codable {
    /// Physical equals book to the scale's resolution (|variance| < d/2).
    case ok
    /// A variance inside the scale's legal tolerance: not a discrepancy.
    case withinTolerance = "within tolerance"
    /// Less than the book, beyond tolerance.
    case shortage
    /// More than the book, beyond tolerance, and not explained by moisture.
    case overage
    /// More than the book beyond the scale's tolerance but within the moisture allowance of its
    /// hygroscopic lots, whose zone stood above the material's humidity limit since their receipt.
    case moistureGain = "moisture gain"
    /// The scale was heard, but never stable and free of errors in the window.
    case noStableReading = "no stable reading"
    /// The scale was not heard in the window.
    case scaleOffline = "scale offline"
    /// A location weighed by hand that has no count yet.
    case notCounted = "not counted"

    /// Whether an auditor has something to follow up.
    public var isDiscrepancy: Bool {
        switch self {
        case .ok, .withinTolerance, .moistureGain: false
        case .shortage, .overage, .noStableReading, .scaleOffline, .notCounted: true
        }
    }
}
