import Metrics
import Modbus
import StockpileDomain

/// The agent's metrics for one device, through swift-metrics (whatever backend the process
/// bootstrapped; none in tests that do not look).
///
/// - `stockpile_polls_total{bus, device, outcome}`: polls by outcome (`clean`, `degraded`, `silent`)
/// - `stockpile_poll_seconds{bus, device}`: time of each poll on the bus
/// - `stockpile_device_health{bus, device}`: 0 online, 1 degraded, 2 offline (quarantined)
/// - `stockpile_health_transitions_total{bus, device, to}`
/// - `stockpile_discarded_answers_total{bus, device}`: answers read past during the device's polls
///   because they belonged to another request (a late answer, a neighbour's)
/// - `stockpile_point_value{bus, device, point, unit}`, `stockpile_point_quality{bus, device, point}`
/// - `stockpile_modbus_requests_total{bus, device}`: requests attempted, retries included
/// - `stockpile_modbus_errors_total{bus, device, kind}`: those that failed, by `ModbusErrorKind`
struct DeviceMetrics: Sendable {
    private let discarded: Counter
    private let requests: Counter
    private let clean: Counter
    private let degraded: Counter
    private let silent: Counter
    private let pollTime: Metrics.Timer
    private let health: Gauge
    private let dimensions: [(String, String)]

    init(bus: String, device: String) {
        dimensions = [("bus", bus), ("device", device)]
        clean = Counter(label: "stockpile_polls_total", dimensions: dimensions + [("outcome", "clean")])
        degraded = Counter(label: "stockpile_polls_total", dimensions: dimensions + [("outcome", "degraded")])
        silent = Counter(label: "stockpile_polls_total", dimensions: dimensions + [("outcome", "silent")])
        pollTime = Metrics.Timer(label: "stockpile_poll_seconds", dimensions: dimensions)
        health = Gauge(label: "stockpile_device_health", dimensions: dimensions)
        discarded = Counter(label: "stockpile_discarded_answers_total", dimensions: dimensions)
        requests = Counter(label: "stockpile_modbus_requests_total", dimensions: dimensions)
    }

    /// Counts a pass's requests, and its failed ones by kind (an interrupted one is neither).
    func recordRequests(_ count: Int, errors: [ModbusError]) {
        if count > 0 { requests.increment(by: count) }
        for error in errors {
            guard let kind = ModbusErrorKind(error) else { continue }
            Counter(label: "stockpile_modbus_errors_total", dimensions: dimensions + [("kind", kind.label)])
                .increment()
        }
    }

    func recordDiscarded(_ count: Int) {
        if count > 0 { discarded.increment(by: count) }
    }

    func recordPoll(_ outcome: PollOutcome, took elapsed: Duration) {
        if outcome.isSilent {
            silent.increment()
        } else if outcome.isClean {
            clean.increment()
        } else {
            degraded.increment()
        }
        pollTime.recordNanoseconds(Int64(elapsed.seconds * 1e9))
    }

    /// `stockpile_point_value{bus, device, point, unit}` and `stockpile_point_quality{bus, device, point}`
    /// for each decoded reading: the value a Prometheus or Telegraf user graphs, and how far to trust it.
    func recordValues(_ readings: [PointReading]) {
        for reading in readings {
            let point = dimensions + [("point", reading.name)]
            let number: Double? =
                switch reading.value {
                case .number(let value)?: value
                case .bool(let state)?: state ? 1 : 0
                case .text?: nil
                case nil: .nan
                }
            if let number {
                Gauge(label: "stockpile_point_value", dimensions: point + [("unit", reading.unit ?? "")]).record(number)
            }
            Gauge(label: "stockpile_point_quality", dimensions: point).record(Self.code(reading.quality))
        }
    }

    /// 0 good, 1 uncertain, 2 bad, 3 stale, 4 offline: worse is larger, so `max` over points means something.
    static func code(_ quality: ReadingQuality) -> Double {
        switch quality {
        case .good: 0
        case .uncertain: 1
        case .bad: 2
        case .stale: 3
        case .offline: 4
        }
    }

    func recordHealth(_ state: DeviceHealth) {
        let value: Double =
            switch state {
            case .online: 0
            case .degraded: 1
            case .offline: 2
            }
        health.record(value)
        Counter(label: "stockpile_health_transitions_total", dimensions: dimensions + [("to", state.rawValue)])
            .increment()
    }
}

/// A bus's schedule metrics.
///
/// - `stockpile_bus_round_seconds{bus, kind}`: one round of every periodic group, `predicted` and `actual`
/// - `stockpile_bus_skipped_slots_total{bus}`: poll slots missed because the bus was busy
/// - `stockpile_bus_behind{bus}`: 1 while the bus cannot keep its schedule
/// - `stockpile_bus_poll_seconds{bus}`: a histogram of the time of each poll of any device on the bus
///   (its buckets, 1 ms to 5 s, are in `DescribedMetricsFactory`)
struct BusMetrics: Sendable {
    private let pollTime: Metrics.Timer
    private let predicted: Gauge
    private let actual: Gauge
    private let skipped: Counter
    private let behind: Gauge

    init(bus: String) {
        predicted = Gauge(label: "stockpile_bus_round_seconds", dimensions: [("bus", bus), ("kind", "predicted")])
        actual = Gauge(label: "stockpile_bus_round_seconds", dimensions: [("bus", bus), ("kind", "actual")])
        skipped = Counter(label: "stockpile_bus_skipped_slots_total", dimensions: [("bus", bus)])
        behind = Gauge(label: "stockpile_bus_behind", dimensions: [("bus", bus)])
        pollTime = Metrics.Timer(label: "stockpile_bus_poll_seconds", dimensions: [("bus", bus)])
    }

    func recordPoll(took elapsed: Duration) {
        pollTime.recordNanoseconds(Int64(elapsed.seconds * 1e9))
    }

    func recordPrediction(_ round: Duration) {
        predicted.record(round.seconds)
    }

    func recordRound(actual round: Duration, skipped slots: Int) {
        actual.record(round.seconds)
        if slots > 0 { skipped.increment(by: Int64(slots)) }
    }

    func recordBehind(_ isBehind: Bool) {
        behind.record(isBehind ? 1 : 0)
    }
}
