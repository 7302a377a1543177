/// NIST Handbook 44 maintenance tolerances, in scale divisions, by accuracy class and test load.
///
/// A reconciliation judges a variance against the tolerance the scale is legally allowed in service
/// (maintenance), not the tighter acceptance tolerance of a new or repaired scale (half of it,
/// HB44 T.N.3.2). The table that produced a figure travels with it as data (`MaintenanceTolerance.Rule`),
/// so a report can say which row applied and why.
///
/// Sources (`shared/reference/monitoring-reconciliation-anchors.md` §4):
/// - class III: HB44 §2.20 Table 6, as quoted in the project brief and confirmed by two sources in the
///   anchors (Mettler-Toledo handbook, elsmar thread 65983 on Table T.3);
/// - classes II and IIII: HB44 §2.20 Table 6 as the anchors give it, marked there "from memory, check
///   against Table 6";
/// - class I: not in the anchors. The figures used are HB44 §2.20 Table 6's class I row
///   (0–50,000 d: 1 d; 50,001–200,000 d: 2 d; over 200,000 d: 3 d), taken from the Handbook, not
///   from a project anchor; `Rule.source` says so in every report that uses it.
public enum MaintenanceTolerance {
    /// One row of a class's table: loads above the previous row's upper bound up to `upTo` divisions
    /// (inclusive) get `tolerance` divisions. The last row has no upper bound.
    public struct Row: Hashable, Sendable {
        /// The row's inclusive upper bound in divisions; `nil` for the open last row.
        public var upTo: Int?
        /// The maintenance tolerance in divisions.
        public var tolerance: Double

        public init(upTo: Int?, tolerance: Double) {
            self.upTo = upTo
            self.tolerance = tolerance
        }
    }

    /// The tolerance found for one load, with everything needed to re-derive it by hand.
    public struct Rule: Hashable, Sendable, Codable {
        /// The class whose table was used (`III`).
        public var accuracyClass: String
        /// Scale division d, in kg.
        public var division: Double
        /// The load the tolerance was looked up for, in kg.
        public var load: Double
        /// That load in divisions (load ÷ d).
        public var loadDivisions: Double
        /// The row's bounds in divisions, as printed: `501–2000 d`, `4001+ d`.
        public var row: String
        /// The tolerance in divisions.
        public var toleranceDivisions: Double
        /// ± kg: `toleranceDivisions` × d.
        public var toleranceKilograms: Double
        /// Where the table comes from.
        public var source: String

        /// `HB44 class III, 2500 d in 2001–4000 d: ±3 d = ±3 kg`.
        public var summary: String {
            "HB44 class \(accuracyClass) maintenance, \(Self.number(loadDivisions)) d in \(row): "
                + "±\(Self.number(toleranceDivisions)) d = ±\(Self.number(toleranceKilograms)) kg"
        }

        static func number(_ value: Double) -> String {
            let rounded = (value * 1000).rounded() / 1000
            if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int64(rounded)) }
            return String(rounded)
        }
    }

    /// The table for one class, rows in ascending order.
    public static func table(for accuracyClass: AccuracyClass) -> [Row] {
        switch accuracyClass {
        case .special:
            [Row(upTo: 50_000, tolerance: 1), Row(upTo: 200_000, tolerance: 2), Row(upTo: nil, tolerance: 3)]
        case .high:
            [Row(upTo: 5_000, tolerance: 1), Row(upTo: 20_000, tolerance: 2), Row(upTo: nil, tolerance: 3)]
        case .medium:
            [
                Row(upTo: 500, tolerance: 1), Row(upTo: 2_000, tolerance: 2), Row(upTo: 4_000, tolerance: 3),
                Row(upTo: nil, tolerance: 5),
            ]
        case .ordinary:
            [
                Row(upTo: 50, tolerance: 1), Row(upTo: 200, tolerance: 2), Row(upTo: 400, tolerance: 3),
                Row(upTo: nil, tolerance: 5),
            ]
        }
    }

    /// Where `table(for:)` comes from, per class.
    public static func source(for accuracyClass: AccuracyClass) -> String {
        switch accuracyClass {
        case .medium:
            "NIST HB44 §2.20 Table 6, class III (project brief; anchors §4, two confirming sources)"
        case .high, .ordinary:
            "NIST HB44 §2.20 Table 6, class \(accuracyClass.rawValue) (anchors §4, marked there: check against Table 6)"
        case .special:
            "NIST HB44 §2.20 Table 6, class I (not in the project anchors; from the Handbook's table)"
        }
    }

    /// The maintenance tolerance for `load` kg on a scale of this class and division.
    ///
    /// A load belongs to the first row whose upper bound it does not exceed, counted in divisions as a
    /// real number: with d = 1 kg, 500 kg is in `0–500 d` and 500.4 kg in `501–2000 d`. A negative
    /// load (an empty platform reading below zero) is looked up by its magnitude.
    public static func rule(load: Double, division: Double, accuracyClass: AccuracyClass) -> Rule {
        let loadDivisions = abs(load) / division
        let rows = table(for: accuracyClass)
        var lower = 0
        var chosen = rows[rows.count - 1]
        var rowText = ""
        for row in rows {
            if let upTo = row.upTo, loadDivisions > Double(upTo) {
                lower = upTo + 1
                continue
            }
            chosen = row
            break
        }
        if let upTo = chosen.upTo {
            rowText = "\(lower)–\(upTo) d"
        } else {
            rowText = "\(lower)+ d"
        }
        return Rule(
            accuracyClass: accuracyClass.rawValue, division: division, load: load, loadDivisions: loadDivisions,
            row: rowText, toleranceDivisions: chosen.tolerance, toleranceKilograms: chosen.tolerance * division,
            source: source(for: accuracyClass))
    }
}
