public import StockpileDomain

/// A weighing indicator with its platform, behaving the way real indicators do.
///
/// Step it with one fixed step (see `DeviceModel`); read it with `reading()` or `pointValues()`.
///
/// The rules, with the defaults of `Configuration`:
/// - **Signal.** The indicator measures the true load plus creep (`driftPerHour`, accumulated),
///   minus its zero offset. Its internal reading is noise-free and unrounded; every flag below is
///   decided on it, as a real indicator decides them on its filtered, high-resolution value.
/// - **Display.** Reported weights are the internal reading plus display noise, rounded to the
///   division d. Noise is σ = `noiseDivisions` · d at standstill (0.2 d), plus
///   `motionNoiseDivisions` · d (2 d) fading out over the settling motion.
/// - **Motion.** A load change (`addLoad`, `setLoad`) clears `stable` for `settlingTime` (2 s).
///   The internal reading moves from the old value to the new load along
///   (e^(−5u) − e^(−5)) / (1 − e^(−5)) of the remaining difference, u the fraction of the
///   settling time elapsed: exponential in shape, and exactly on the load when standstill returns.
///   A change during motion starts a new motion from wherever the reading is.
/// - **Gradual change.** `setLossRate` takes kg/h off the load each step (negative: a gain, such as
///   moisture uptake); a loss stops at an empty platform. It does not trigger motion: 2 kg/h on a
///   5,000 kg scale is far below any indicator's motion band.
/// - **Zero tracking** (automatic zero tracking, OIML R76 practice): while stable, error-free and
///   |gross| ≤ `zeroTrackingBandDivisions` · d (0.5 d), the zero offset follows the reading at no
///   more than `zeroTrackingRateDivisionsPerSecond` · d per second (0.5 d/s), and the total offset
///   never leaves the zero-setting range (±2 % of capacity around the power-up zero). Creep on an
///   empty platform is therefore tracked away; a loaded platform is never tracked.
/// - **Flags.** `center_of_zero` when |gross| ≤ ¼ d; `overload` when gross > capacity + 9 d
///   (OIML R76: no indication above Max + 9 e; Laumas' status bit b2 is exactly this);
///   `underload` when gross < −20 d (Stockpile's default).
/// - **Commands.** `zero()` and `tare()` need standstill and no fault. Zero is refused when the
///   new total zero offset would leave the zero-setting range (±2 % of Max; OIML R76 allows 4 % of
///   Max for zero-setting and zero-tracking together). Tare takes the gross rounded to d, and is
///   refused at or below zero and in overload or underload (legal-for-trade indicators refuse both).
///
/// OIML R76-1:2006 figures above (4 % of Max, 0.5 e/s, Max + 9 e) are as summarised in the
/// project's reference notes, which mark the exact clause numbers as not yet verified.
public struct ScaleModel: DeviceModel, Hashable {
    /// The scale's fixed parameters.
    public let configuration: Configuration
    /// How far the model's virtual clock has run.
    public private(set) var time: SimulatedTime = .zero
    /// The true load on the platform (kg).
    public private(set) var load: Double
    /// The indicator's zero offset (kg) relative to its power-up zero, from zeroing and zero tracking.
    public private(set) var zeroOffset: Double = 0
    /// The active tare (kg); meaningful while `isTareActive`.
    public private(set) var tareWeight: Double = 0
    /// A tare is active: the indicator shows net.
    public private(set) var isTareActive = false
    /// The indicator reports standstill again at this time.
    public private(set) var motionUntil: SimulatedTime = .zero
    /// Gradual loss (kg/h); negative for a gain.
    public private(set) var lossRate: Double = 0
    /// The active fault's error code, or nil.
    public private(set) var fault: Int?
    /// Creep accumulated so far (kg).
    public private(set) var creep: Double = 0

    /// When the current motion started.
    private var motionStart: SimulatedTime = .zero
    /// The internal reading minus the signal at `motionStart`; it decays to zero over the motion.
    private var settleDeviation: Double = 0
    /// This step's standard-normal noise sample; drawn in `advance`, never when reading.
    private var noiseSample: Double = 0

    /// e⁻⁵: what is left of the settling exponential at the end of the settling time.
    private static let settleFloor = PortableMath.exp(-5)

    /// A scale at time zero: stable, zeroed empty, carrying `configuration.initialLoad`.
    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.capacity > 0, "a scale has a positive capacity")
        precondition(configuration.division > 0, "a scale has a positive division")
        precondition(configuration.settlingTime >= 0, "settling time cannot be negative")
        self.configuration = configuration
        self.load = configuration.initialLoad
    }

    // MARK: - State

    /// The indicator is at standstill.
    public var isStable: Bool { time >= motionUntil }

    /// The indicator's internal gross (kg): filtered and unrounded, before display noise.
    public var internalGross: Double {
        load + creep + settleDeviation * settleFactor(at: time) - zeroOffset
    }

    /// 1 at the start of a motion, falling exponentially to exactly 0 at its end; 0 at standstill.
    private func settleFactor(at moment: SimulatedTime) -> Double {
        guard configuration.settlingTime > 0, moment < motionUntil else { return 0 }
        let fraction = moment.seconds(since: motionStart) / configuration.settlingTime
        return (PortableMath.exp(-5 * fraction) - Self.settleFloor) / (1 - Self.settleFloor)
    }

    // MARK: - Time

    /// Moves the scale on by one fixed step of `seconds`: applies loss and creep, draws this step's
    /// noise (exactly one Gaussian per step, whatever the state), then tracks zero.
    ///
    /// Call it with the same step every time (the simulator service uses 0.1 s); the state then
    /// depends only on the seed and the events, never on how often the scale is read.
    public mutating func advance(by seconds: Double, using rng: inout SeededGenerator) {
        precondition(seconds > 0, "a step moves time forward")
        time = time.advanced(bySeconds: seconds)
        let hours = seconds / 3600
        let change = lossRate * hours
        if change > 0 {
            // A loss empties the platform and stops there; it never makes the load negative.
            if load > 0 { load = max(0, load - change) }
        } else {
            load -= change
        }
        creep += configuration.driftPerHour * hours
        noiseSample = rng.gaussian()
        trackZero(over: seconds)
    }

    private mutating func trackZero(over seconds: Double) {
        guard configuration.zeroTracking, isStable, fault == nil else { return }
        let division = configuration.division
        let gross = internalGross
        guard abs(gross) <= configuration.zeroTrackingBandDivisions * division else { return }
        let most = configuration.zeroTrackingRateDivisionsPerSecond * division * seconds
        let correction = min(max(gross, -most), most)
        let range = configuration.zeroSettingRange
        zeroOffset = min(max(zeroOffset + correction, -range), range)
    }

    // MARK: - Outputs

    /// What the indicator reports now. Pure: reading never changes the model.
    public func reading() -> ScaleReading {
        let config = configuration
        let division = config.division
        let filtered = internalGross
        let sigma = (config.noiseDivisions + config.motionNoiseDivisions * settleFactor(at: time)) * division
        let gross = config.rounded(filtered + noiseSample * sigma)
        let tare = isTareActive ? tareWeight : 0
        return ScaleReading(
            gross: gross,
            net: isTareActive ? config.rounded(gross - tare) : gross,
            tare: tare,
            stable: isStable,
            centerOfZero: abs(filtered) <= division / 4,
            overload: filtered > config.capacity + config.overloadMarginDivisions * division,
            underload: filtered < -config.underloadDivisions * division,
            tareActive: isTareActive,
            error: fault != nil,
            errorCode: fault ?? 0)
    }

    /// The reading in the shared vocabulary: `gross`, `net`, `tare`, `stable`, `center_of_zero`,
    /// `overload`, `underload`, `tare_active`, `error`, `error_code`, and for profiles that expose
    /// the display rather than net, `displayed_weight` (net while tared, else gross) with `net_mode`
    /// (Flintec) and `net_display` (Laumas), both true while a tare is active.
    public func pointValues() -> [String: PointValue?] {
        let reading = reading()
        return [
            "gross": .number(reading.gross),
            "net": .number(reading.net),
            "tare": .number(reading.tare),
            "stable": .bool(reading.stable),
            "center_of_zero": .bool(reading.centerOfZero),
            "overload": .bool(reading.overload),
            "underload": .bool(reading.underload),
            "tare_active": .bool(reading.tareActive),
            "error": .bool(reading.error),
            "error_code": .number(Double(reading.errorCode)),
            "displayed_weight": .number(reading.displayedWeight),
            "net_mode": .bool(reading.tareActive),
            "net_display": .bool(reading.tareActive),
        ]
    }

    // MARK: - Commands

    /// Semi-automatic zero: makes the current gross the new zero.
    ///
    /// Refused in error, in motion, or when the total zero offset would leave the zero-setting
    /// range (±2 % of capacity by default). An active tare is kept.
    public mutating func zero() -> CommandOutcome {
        if fault != nil { return .refusedInError }
        if !isStable { return .refusedInMotion }
        let offset = zeroOffset + internalGross
        guard abs(offset) <= configuration.zeroSettingRange else { return .refusedOutOfRange }
        zeroOffset = offset
        return .accepted
    }

    /// Semi-automatic tare: the current gross, rounded to the division, becomes the tare.
    ///
    /// Refused in error, in motion, at or below zero gross, and in overload or underload.
    public mutating func tare() -> CommandOutcome {
        if fault != nil { return .refusedInError }
        if !isStable { return .refusedInMotion }
        let current = reading()
        let gross = configuration.rounded(internalGross)
        guard gross > 0, !current.overload, !current.underload else { return .refusedOutOfRange }
        tareWeight = gross
        isTareActive = true
        return .accepted
    }

    /// Clears the tare; the indicator shows gross again. Always accepted, as on real indicators.
    public mutating func clearTare() {
        tareWeight = 0
        isTareActive = false
    }

    // MARK: - Events

    /// Puts `kilograms` more on the platform (negative takes some off); starts a settling motion.
    public mutating func addLoad(_ kilograms: Double) {
        setLoad(load + kilograms)
    }

    /// Sets the true load on the platform; starts a settling motion if it changed.
    ///
    /// A negative load is allowed: it models a platform lifted or a load cell pulled, the way a
    /// scenario makes a real underload.
    public mutating func setLoad(_ kilograms: Double) {
        guard kilograms != load else { return }
        // Keep the internal reading continuous: it starts moving from where it is now.
        let deviationNow = settleDeviation * settleFactor(at: time)
        settleDeviation = deviationNow + load - kilograms
        load = kilograms
        if configuration.settlingTime > 0 {
            motionStart = time
            motionUntil = time.advanced(bySeconds: configuration.settlingTime)
        } else {
            settleDeviation = 0
        }
    }

    /// Sets the gradual loss (kg per hour); negative for a gain, 0 to stop.
    public mutating func setLossRate(_ kilogramsPerHour: Double) {
        lossRate = kilogramsPerHour
    }

    /// Makes the indicator report error `code` (`error` true, `error_code` = code); 0 clears it.
    public mutating func setFault(_ code: Int) {
        fault = code == 0 ? nil : code
    }

    /// Clears the fault.
    public mutating func clearFault() {
        fault = nil
    }
}
