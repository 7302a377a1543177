import StockpileDomain

/// How a `ReadingQuality` lands in the `quality` columns (migration v2): a small integer, fixed here for good.
///
/// The codes are the store's, not the order of `ReadingQuality.allCases`: a quality added to the domain gets the
/// next free code, and the switch below refuses to compile until it has one.
extension ReadingQuality {
    var storeCode: Int {
        switch self {
        case .good: 0
        case .uncertain: 1
        case .bad: 2
        case .stale: 3
        case .offline: 4
        }
    }

    /// Nil for a code this build does not know (a store written by a newer Stockpile).
    init?(storeCode: Int) {
        switch storeCode {
        case 0: self = .good
        case 1: self = .uncertain
        case 2: self = .bad
        case 3: self = .stale
        case 4: self = .offline
        default: return nil
        }
    }
}
