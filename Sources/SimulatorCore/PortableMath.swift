/// `exp`, `log`, `sin` and `cos` built only from IEEE 754 addition, multiplication, division and
/// scaling by powers of two, so that they give the same bits on every platform.
///
/// Why not libm: glibc and Apple's libm are both accurate to about one unit in the last place, but
/// not always the *same* last place. The simulator promises bit-identical replays of a scenario on
/// any machine, and a one-ulp difference in a noise sample can move a rounded weight by a division.
/// Basic IEEE operations are correctly rounded everywhere; these functions use nothing else.
///
/// Accuracy is a few ulp over the ranges the simulator uses (|x| < 10⁶ for `sin`/`cos`), which is
/// far finer than any sensor's resolution. The reduction constants are fdlibm's (Sun, 1993).
enum PortableMath {
    // ln 2 split so that k·ln2Hi is exact for |k| < 2²⁰ (ln2Hi has 32 trailing zero bits).
    private static let ln2Hi = 6.931_471_803_691_238_164_90e-01
    private static let ln2Lo = 1.908_214_929_270_587_700_02e-10
    private static let log2e = 1.442_695_040_888_963_387_00
    // π/2 in two parts, the first with 33 significant bits (fdlibm's pio2_1, pio2_1t).
    private static let halfPiHi = 1.570_796_326_734_125_614_17
    private static let halfPiLo = 6.077_100_506_506_192_249_32e-11
    private static let twoOverPi = 6.366_197_723_675_813_824_33e-01

    /// eˣ.
    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782_712_893_384 { return .infinity }
        if x < -745.133_219_101_941_1 { return 0 }
        // x = k·ln 2 + r with |r| ≤ ln2 / 2, so eˣ = 2ᵏ · eʳ.
        let k = (x * log2e).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo
        // Taylor series to r¹⁴/14!: the next term is below 4·10⁻¹⁸ for |r| ≤ 0.347.
        var sum = 1.0
        var term = 1.0
        for n in 1...14 {
            term *= r / Double(n)
            sum += term
        }
        // Exact scaling by 2ᵏ (rounds once if the result is subnormal).
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }

    /// The natural logarithm; NaN below zero, −∞ at zero.
    static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x == .infinity { return x }
        // x = m · 2ᵉ with m in [√½, √2).
        var exponent = Double(x.exponent)
        var m = x.significand
        if m > 1.414_213_562_373_095_048_80 {
            m /= 2
            exponent += 1
        }
        // ln m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …) with s = (m − 1)/(m + 1), |s| ≤ 0.1716.
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var series = 0.0
        // Terms to s²³/23; the next is below 10⁻¹⁸.
        for n in stride(from: 23, through: 3, by: -2) {
            series = (series + 2 / Double(n)) * s2
        }
        let lnM = s * (2 + series)
        return exponent * ln2Hi + (exponent * ln2Lo + lnM)
    }

    /// sin x.
    static func sin(_ x: Double) -> Double { sinCos(x).sin }

    /// cos x.
    static func cos(_ x: Double) -> Double { sinCos(x).cos }

    /// Both at once, from one argument reduction.
    static func sinCos(_ x: Double) -> (sin: Double, cos: Double) {
        if !x.isFinite { return (.nan, .nan) }
        // x = q·π/2 + r with |r| ≤ π/4.
        let q = (x * twoOverPi).rounded()
        let r = (x - q * halfPiHi) - q * halfPiLo
        let r2 = r * r
        // Taylor series: sin to r¹⁹/19!, cos to r²⁰/20!; both errors below 10⁻¹⁸ for |r| ≤ π/4.
        // Nested (Horner) form, innermost term first: tail = (series / leading term) − 1.
        var sinTail = 0.0
        for n in stride(from: 19, through: 3, by: -2) {
            sinTail = -(sinTail + 1) * r2 / Double(n * (n - 1))
        }
        let s = r + r * sinTail
        var cosTail = 0.0
        for n in stride(from: 20, through: 2, by: -2) {
            cosTail = -(cosTail + 1) * r2 / Double(n * (n - 1))
        }
        let c = 1 + cosTail
        switch Int(q.truncatingRemainder(dividingBy: 4)) {
        case 0: return (s, c)
        case 1, -3: return (c, -s)
        case 2, -2: return (-s, -c)
        default: return (-c, s)
        }
    }
}
