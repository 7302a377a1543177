extension ScaleModel {
    /// A weighing indicator and its platform: capacity, division and how the reading behaves.
    ///
    /// Defaults describe a 5,000 kg × 1 kg class III pallet floor scale, the example used throughout
    /// the brief. Weights are in kg (or the profile's unit; the model does not care which).
    public struct Configuration: Hashable, Sendable {
        /// Maximum capacity, Max (kg).
        public var capacity: Double
        /// Scale division d (kg): the displayed weight is a multiple of it.
        public var division: Double
        /// Accuracy class as marked on the scale ("III", "IIII" …). Carried for callers that look up
        /// a tolerance (NIST HB44, OIML R76); the physics does not use it.
        public var accuracyClass: String
        /// Standard deviation of the display noise at standstill, in divisions. 0.2 d keeps the last
        /// digit steady almost always (it flickers by 1 d on about 1 % of steps), as a real indicator
        /// that reports "stable" does.
        public var noiseDivisions: Double
        /// Extra standard deviation, in divisions, right after a load change; it fades with the
        /// settling motion, so a moving weight looks unsteady and a settled one does not.
        public var motionNoiseDivisions: Double
        /// Seconds from a load change until the indicator reports standstill again.
        public var settlingTime: Double
        /// Creep: a slow, signed drift of the reading (kg per hour), with the load unchanged.
        public var driftPerHour: Double
        /// Automatic zero tracking on or off.
        public var zeroTracking: Bool
        /// Zero tracking acts only while |gross| is within this many divisions of zero.
        public var zeroTrackingBandDivisions: Double
        /// Most zero tracking may correct per second, in divisions (OIML R76: at most 0.5 e/s).
        public var zeroTrackingRateDivisionsPerSecond: Double
        /// Zero-setting range as a fraction of capacity, either side of the power-up zero: the total
        /// of every zero and all zero tracking stays within ±this × Max. 0.02 (±2 %) spends the
        /// 4 % of Max OIML R76 allows zero-setting and zero-tracking together.
        public var zeroSettingRangeFraction: Double
        /// Overload above capacity + this many divisions (OIML R76: no indication above Max + 9 e).
        public var overloadMarginDivisions: Double
        /// Underload below −(this many divisions). 20 d is Stockpile's default, not a standard's
        /// figure; indicators make it configurable.
        public var underloadDivisions: Double
        /// Load on the platform when the scenario starts (kg); the scale starts stable, zeroed empty.
        public var initialLoad: Double

        /// A configuration; every parameter has the floor-scale default.
        public init(
            capacity: Double = 5_000, division: Double = 1, accuracyClass: String = "III",
            noiseDivisions: Double = 0.2, motionNoiseDivisions: Double = 2, settlingTime: Double = 2,
            driftPerHour: Double = 0, zeroTracking: Bool = true, zeroTrackingBandDivisions: Double = 0.5,
            zeroTrackingRateDivisionsPerSecond: Double = 0.5, zeroSettingRangeFraction: Double = 0.02,
            overloadMarginDivisions: Double = 9, underloadDivisions: Double = 20, initialLoad: Double = 0
        ) {
            self.capacity = capacity
            self.division = division
            self.accuracyClass = accuracyClass
            self.noiseDivisions = noiseDivisions
            self.motionNoiseDivisions = motionNoiseDivisions
            self.settlingTime = settlingTime
            self.driftPerHour = driftPerHour
            self.zeroTracking = zeroTracking
            self.zeroTrackingBandDivisions = zeroTrackingBandDivisions
            self.zeroTrackingRateDivisionsPerSecond = zeroTrackingRateDivisionsPerSecond
            self.zeroSettingRangeFraction = zeroSettingRangeFraction
            self.overloadMarginDivisions = overloadMarginDivisions
            self.underloadDivisions = underloadDivisions
            self.initialLoad = initialLoad
        }

        /// The zero-setting range either side of the power-up zero (kg).
        public var zeroSettingRange: Double { zeroSettingRangeFraction * capacity }

        /// `value` rounded to the nearest division.
        ///
        /// Divides by the number of divisions per unit when d is 1/n (0.5, 0.1, 0.01 …), so that
        /// 253 × 0.1 comes out as the double nearest 25.3 rather than 25.300000000000004.
        public func rounded(_ value: Double) -> Double {
            let count = (value / division).rounded()
            let perUnit = (1 / division).rounded()
            let result = perUnit >= 1 && abs(perUnit * division - 1) < 1e-9 ? count / perUnit : count * division
            return result + 0  // −0 becomes +0: a display never shows "−0"
        }
    }
}
