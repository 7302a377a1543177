public import StockpileDomain

/// The ledger's findings an alert can be raised on.
public enum LedgerEventKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A settled weight step the ledger does not explain.
    case unrecordedMovement = "unrecorded_movement"
    /// A slow gain on a hygroscopic lot while its zone was too humid.
    case moistureUptake = "moisture_uptake"
    /// A slow loss without a transaction.
    case gradualLoss = "gradual_loss"
    /// A reconciliation whose variance is outside the scale's tolerance (a shortage or an overage).
    case reconciliationOutsideTolerance = "reconciliation_outside_tolerance"

    /// The kind a movement scan's event is.
    public init(_ kind: MovementEvent.Kind) {
        switch kind {
        case .unrecordedMovement: self = .unrecordedMovement
        case .moistureUptake: self = .moistureUptake
        case .gradualLoss: self = .gradualLoss
        }
    }
}
