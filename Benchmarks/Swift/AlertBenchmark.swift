import Foundation
import Logging
import StockpileAgent
import StockpileAlerts
import StockpileDomain
import StockpileStore

/// Issue 11 §5: the agent's alert evaluation for 200 devices × 5 points × 4 rules each (4,000 subjects),
/// once a second: the CPU the site's `AlertLoop` takes per tick with those rules, against the same loop
/// with every rule off (the defaults switched off too), in the same run, on a real store. The pollers'
/// feed of the observations is in both runs (the agent feeds them whatever the rules), so the difference
/// is what the rules cost. A tick runs once a second, so CPU seconds per tick are the share of one core.
enum AlertBenchmark {
    static let devices = 200
    static let points = ["door_1", "door_2", "door_3", "door_4", "door_5"]
    static let goal = 0.01

    static func run(ticks: Int = 120) async throws {
        print(
            "== Alert evaluation: \(devices) devices × \(points.count) points × 4 rules, one tick a second, "
                + "\(ticks) ticks on a real store ==")
        var site = """
            site: {id: alert-bench, name: Alert benchmark}
            data_directory: unused
            tcp:
              - {name: main, host: 127.0.0.1, port: 1}
            devices:

            """
        for index in 0..<devices {
            site += "  - {name: io-\(index), profile: io/generic-8ch-io.yaml, bus: main, unit: \(1 + index % 247)}\n"
        }
        let off = """
            alerts:
              defaults:
                device_offline: off
                bus_offline: off
                scale_error: off
                unrecorded_movement: off
                humidity_above_material_limit: off

            """
        var on = off + "  rules:\n"
        for point in points {
            on += "    - {name: \(point)_open, kind: threshold, point: \(point), above: 0.5, for: 30s}\n"
            on += "    - {name: \(point)_closed, kind: threshold, point: \(point), below: 0.5, for: 1h}\n"
            on += "    - {name: \(point)_stale, kind: stale, point: \(point), for: 1m}\n"
            on += "    - {name: \(point)_rate, kind: rate, point: \(point), rising_faster_than: 100, window: 10m}\n"
        }
        let quiet = try await tickCost(site: site, alerts: off, ticks: ticks)
        let ruled = try await tickCost(site: site, alerts: on, ticks: ticks)
        print(
            "rules off: \(format(quiet.cpu * 1000)) ms CPU per tick; rules on (\(ruled.subjects) subjects, "
                + "\(ruled.transitions) transitions): \(format(ruled.cpu * 1000)) ms per tick")
        let share = max(0, ruled.cpu - quiet.cpu)
        print(
            "the rules cost \(format(share * 100)) % of one core at one tick a second (ratio \(format(ruled.cpu / quiet.cpu)) × "
                + "the loop without rules); goal under \(format(goal * 100)) %: \(share < goal ? "met" : "NOT met")")
    }

    /// Process CPU seconds per tick of a loop over `alerts`, observations fed as pollers would feed them.
    static func tickCost(
        site text: String, alerts: String, ticks: Int
    ) async throws -> (cpu: Double, subjects: Int, transitions: Int) {
        let site = try SiteLoader.parse(text + alerts, file: "alert-bench.yaml", profileDirectories: ["Devices"])
        let configuration = try AlertConfigurationParser.parse(
            siteRoot: try YAMLField.parse(text + alerts, file: "alert-bench.yaml"), site: site)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-alert-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(path: directory.appendingPathComponent("store.sqlite").path)
        let observations = LiveObservations(history: .init(configuration))
        let loop = AlertLoop(
            configuration: configuration, site: site, database: database, observations: observations,
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }), beacon: nil, dispatch: { _ in })
        var now = Date()
        func feed(_ tick: Int) {
            for index in 0..<devices {
                // A door opens on one device in ten for a minute now and then: some rules fire and resolve.
                let open = index % 10 == 0 && (tick / 60) % 2 == 1
                let readings = points.enumerated().map { offset, point in
                    PointReading(
                        name: point, value: .bool(open && offset == 0), unit: nil, quality: .good, raw: [])
                }
                observations.record(device: "io-\(index)", readings: readings, at: now)
            }
        }
        try await loop.restore(now: now)
        for tick in 0..<10 {  // warm up
            feed(tick)
            try await loop.tick(now: now)
            now.addTimeInterval(1)
        }
        var transitions = 0
        let before = CPUTime.this()
        for tick in 10..<(10 + ticks) {
            feed(tick)
            transitions += try await loop.tick(now: now).count
            now.addTimeInterval(1)
        }
        let cpu = (CPUTime.this() - before) / Double(ticks)
        let subjects = AlertEvaluator(configuration: configuration)
            .evaluate(AlertObservation(devices: observations.snapshot()), now: now).count
        return (cpu, subjects, transitions)
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
