public import Metrics
public import Prometheus

/// swift-metrics over a Prometheus registry, with a `# HELP` line for every metric the agent makes.
///
/// `PrometheusMetricsFactory` registers everything with empty help (so no `# HELP` lines), and the
/// registry refuses a second help text for a name it has, so help must be given where each metric
/// is first made: here, from `help`, by metric name.
public struct DescribedMetricsFactory: MetricsFactory {
    /// The registry the endpoint serves.
    public let registry: PrometheusCollectorRegistry
    private let buckets: [Duration]

    /// Help texts by metric name; the agent's are in `DeviceMetrics`, `BusMetrics`, `StoreMetrics`,
    /// the alert loop and the notifiers' `DeliveryMetrics`.
    public static let help: [String: String] = [
        "stockpile_polls_total": "Polls of a device by outcome: clean, degraded (retries, exceptions), silent.",
        "stockpile_poll_seconds": "Time of each poll of a device on its bus.",
        "stockpile_device_health": "Device health: 0 online, 1 degraded, 2 offline (quarantined).",
        "stockpile_health_transitions_total": "Changes of device health, by the state entered.",
        "stockpile_discarded_answers_total":
            "Answers read past in a device's polls: they belonged to another request (a late one, a neighbour's).",
        "stockpile_bus_round_seconds": "One round of every periodic poll group on a bus, predicted and actual.",
        "stockpile_bus_skipped_slots_total": "Poll slots missed because the bus was busy.",
        "stockpile_bus_behind": "1 while a bus cannot keep its schedule.",
        "stockpile_point_value":
            "Latest value of a point (booleans 0/1); NaN when the newest reading has no value (see the quality).",
        "stockpile_point_quality":
            "Quality of a point's newest reading: 0 good, 1 uncertain, 2 bad, 3 stale, 4 offline.",
        "stockpile_alerts_firing": "Alerts firing (acknowledged or not), by severity.",
        "stockpile_notifications_total":
            "Notification attempts per receiver, by outcome (success, or the failure kind).",
        "stockpile_notification_seconds": "Time of each notification attempt per receiver.",
        "stockpile_notification_failures_total":
            "Notification attempts per receiver that failed, by kind (timeout, http_status, connection, command_…).",
        "stockpile_bus_poll_seconds": "Time of each poll of any device on a bus (all its requests, retries included).",
        "stockpile_modbus_requests_total": "Modbus requests to a device, retries included.",
        "stockpile_modbus_errors_total":
            "Modbus requests to a device that failed, by kind: timeout, exception_<code>, crc, connection, other.",
        "stockpile_readings_written_total": "Readings committed to the store.",
        "stockpile_store_batch_seconds": "Time of each store flush that wrote readings (one transaction).",
    ]

    /// Histogram buckets by timer name, where the default (5 ms to 10 s) does not suit.
    public static let durationBuckets: [String: [Duration]] = [
        // A Modbus poll: a TCP read on loopback takes well under 1 ms, an RTU one at 9600 baud tens of
        // milliseconds, and a silent device its timeout (a few seconds at most).
        "stockpile_bus_poll_seconds": [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2.5), .seconds(5),
        ],
        // One write transaction with `synchronous = FULL`: an fsync or two, longer for a large backlog.
        "stockpile_store_batch_seconds": [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2.5), .seconds(5), .seconds(10),
        ],
    ]

    /// A factory over `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        buckets = PrometheusMetricsFactory(registry: registry).defaultDurationHistogramBuckets
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: Self.help[label] ?? "")
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(
        label: String, dimensions: [(String, String)]
    )
        -> any FloatingPointCounterHandler
    {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: descriptor(label), labels: dimensions,
            buckets: PrometheusMetricsFactory(registry: registry).defaultValueHistogramBuckets)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(
            descriptor: descriptor(label), labels: dimensions, buckets: Self.durationBuckets[label] ?? buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? Prometheus.ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? Prometheus.DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
