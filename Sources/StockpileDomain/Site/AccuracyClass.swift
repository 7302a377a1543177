/// A weighing instrument's accuracy class (OIML R76 / NIST Handbook 44), which sets its legal
/// tolerance in scale divisions.
public enum AccuracyClass: String, Hashable, Sendable, CaseIterable {
    /// Class I, special accuracy (laboratory balances).
    case special = "I"
    /// Class II, high accuracy (precision scales).
    case high = "II"
    /// Class III, medium accuracy: most commercial floor and platform scales.
    case medium = "III"
    /// Class IIII, ordinary accuracy (coarse weighing).
    case ordinary = "IIII"
}
