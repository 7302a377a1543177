extension SiteConfiguration {
    /// How the store keeps readings: retention and the batch flush interval.
    public struct StoreSettings: Hashable, Sendable {
        /// Raw readings older than this many days are deleted.
        public var rawRetentionDays: Int
        /// Per-minute aggregates (min, max, mean, count) older than this many days are deleted.
        public var aggregateRetentionDays: Int
        /// The longest a reading waits in memory before its batch is written: what a crash can lose.
        public var flushInterval: Duration

        /// The longest flush interval a site may set.
        public static let maximumFlushInterval: Duration = .seconds(5)

        public init(
            rawRetentionDays: Int = 30, aggregateRetentionDays: Int = 730, flushInterval: Duration = .seconds(1)
        ) {
            self.rawRetentionDays = rawRetentionDays
            self.aggregateRetentionDays = aggregateRetentionDays
            self.flushInterval = flushInterval
        }
    }
}
