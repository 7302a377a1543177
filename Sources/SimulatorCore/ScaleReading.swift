/// What a weighing indicator reports at one moment: the weights and the status flags beside them.
///
/// Weights are displayed values: rounded to the scale division, noise included. Flags use the
/// shared vocabulary (`stable`, `center_of_zero`, `overload` …); see `ScaleModel` for the rules.
public struct ScaleReading: Hashable, Sendable {
    /// Gross weight (kg), rounded to the division.
    public var gross: Double
    /// Net weight (kg): gross − tare; equal to gross when no tare is active.
    public var net: Double
    /// The active tare (kg); 0 when none.
    public var tare: Double
    /// The indicator is at standstill (its motion flag is clear).
    public var stable: Bool
    /// Gross within ±¼ d of zero.
    public var centerOfZero: Bool
    /// Gross above capacity + 9 d.
    public var overload: Bool
    /// Gross below −20 d (by default).
    public var underload: Bool
    /// A tare is active and the indicator shows net.
    public var tareActive: Bool
    /// The indicator reports a fault.
    public var error: Bool
    /// The fault's code; 0 when there is none.
    public var errorCode: Int

    /// A reading with every field given.
    public init(
        gross: Double, net: Double, tare: Double, stable: Bool, centerOfZero: Bool, overload: Bool, underload: Bool,
        tareActive: Bool, error: Bool, errorCode: Int
    ) {
        self.gross = gross
        self.net = net
        self.tare = tare
        self.stable = stable
        self.centerOfZero = centerOfZero
        self.overload = overload
        self.underload = underload
        self.tareActive = tareActive
        self.error = error
        self.errorCode = errorCode
    }

    /// The weight on the display: net while a tare is active, otherwise gross.
    public var displayedWeight: Double { tareActive ? net : gross }
}
