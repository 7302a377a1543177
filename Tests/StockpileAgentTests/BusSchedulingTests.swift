import Foundation
import MetricsTestKit
import Modbus
import SimulatorCore
import StockpileAgent
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Testing

/// The scheduler of a shared bus: a dead unit does not starve its neighbours, and a bus that
/// cannot keep its schedule says so.
@Suite(.serialized) struct BusSchedulingTests {
    static let scenario = """
        name: bus-test
        seed: 9
        step: 50ms
        tcp:
          - {name: main, port: 0}
        rtu:
          - {name: line1}
        devices:
          - {name: a, profile: sensors/xy-md02.yaml, transport: line1, unit: 2, model: environment}
          - {name: b, profile: sensors/vaisala-hmp.yaml, transport: line1, unit: 3, model: environment}
          - {name: s1, profile: scales/laumas-tlu.yaml, transport: main, unit: 1, model: scale}
          - {name: s2, profile: scales/laumas-tlu.yaml, transport: main, unit: 2, model: scale}
          - {name: s3, profile: scales/laumas-tlu.yaml, transport: main, unit: 3, model: scale}
        """

    /// Mean and largest gap between consecutive poll times.
    static func gaps(_ readings: [Reading]) -> (mean: Double, largest: Double, count: Int) {
        let times = readings.map(\.time.timeIntervalSince1970)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        guard !gaps.isEmpty else { return (0, 0, 0) }
        return (gaps.reduce(0, +) / Double(gaps.count), gaps.max()!, gaps.count)
    }

    @Test func aDeadUnitIsQuarantinedAndItsNeighboursKeepTheirInterval() async throws {
        // Unit 4 does not exist: every attempt costs the 500 ms timeout. With 2 retries one poll of
        // it takes 1.5 s of the line per 1 s interval; without quarantine the neighbours would be
        // read every 1.5 s instead of every 1 s.
        let site = """
            site: {id: bus-test, name: Bus test}
            data_directory: unused
            store: {flush_interval: 200ms}
            defaults: {poll: 1s, timeout: 500ms, retries: 2, offline_after: 2, quarantine_max: 4s, late_answer_guard: 200ms}
            rtu:
              - {name: line1, device: $PTY, baud: 9600, parity: E}
            devices:
              - {name: a, profile: sensors/xy-md02.yaml, bus: line1, unit: 2, zone: z}
              - {name: b, profile: sensors/vaisala-hmp.yaml, bus: line1, unit: 3, zone: z}
              - {name: dead, profile: sensors/xy-md02.yaml, bus: line1, unit: 4, zone: z}
            """
        try await AgentFixtures.run(scenario: Self.scenario, site: site) { warehouse in
            let quarantined = try await AgentFixtures.eventually(within: .seconds(60)) {
                try await warehouse.healthEvents("dead").contains { $0.to == .offline }
            }
            #expect(quarantined)
            let health = try await warehouse.healthEvents("dead")
            let offline = try #require(health.first { $0.to == .offline }, "\(health)")
            // The exact rhythm (offline after two silent polls, neighbours at a fixed 1 s, probes
            // backing off) is checked on synthetic time in BusStateSyntheticTimeTests; this is the
            // same on real sockets, with wide bounds.
            try await Task.sleep(for: .seconds(8))
            // Judged once it is quarantined and the line has settled into its new rhythm.
            let from = offline.time.addingTimeInterval(1.6)
            for device in ["a", "b"] {
                let readings = try await warehouse.readings(device, "temperature").filter { $0.time > from }
                let gaps = Self.gaps(readings)
                #expect(gaps.count >= 3, "\(device): \(gaps.count) intervals")
                #expect(readings.allSatisfy { $0.quality == .good })
            }
            // Probes back off: 1 s, 2 s, 4 s, 4 s … with one attempt each.
            let probes = try await warehouse.readings("dead", "temperature").filter { $0.time > offline.time }
            #expect(probes.count >= 2 && probes.count <= 5, "\(probes.count) probes")
            #expect(probes.allSatisfy { $0.quality == .offline && $0.value == nil })
            let probeGaps = zip(probes.dropFirst(), probes).map { $0.time.timeIntervalSince($1.time) }
            #expect(probeGaps == probeGaps.sorted(), "back-off never shrinks: \(probeGaps)")
            #expect(warehouse.logs.lines("device offline; quarantined").count == 1)
            let state = try #require(warehouse.agent.pollers.first?.health["dead"] ?? nil)
            #expect(state == .offline)
            warehouse.expectNoWrites()
        }
    }

    @Test func aBusThatCannotKeepItsScheduleIsReportedWithPredictedAndActualRounds() async throws {
        let site = """
            site: {id: bus-test, name: Bus test}
            data_directory: unused
            store: {flush_interval: 200ms}
            defaults: {poll: 300ms, timeout: 1s, retries: 0}
            tcp:
              - {name: main, host: 127.0.0.1, port: $TCP}
            devices:
              - {name: s1, profile: scales/laumas-tlu.yaml, bus: main, unit: 1, location: {name: b1, capacity: 5000, division: 1, class: III}}
              - {name: s2, profile: scales/laumas-tlu.yaml, bus: main, unit: 2, location: {name: b2, capacity: 5000, division: 1, class: III}}
              - {name: s3, profile: scales/laumas-tlu.yaml, bus: main, unit: 3, location: {name: b3, capacity: 5000, division: 1, class: III}}
            """
        try await AgentFixtures.run(scenario: Self.scenario, site: site) { warehouse in
            let poller = try #require(warehouse.agent.pollers.first)
            #expect(poller.prediction.fits, "on paper three quick reads fit in 300 ms")
            try await Task.sleep(for: .seconds(1))
            #expect(!poller.scheduleState.isBehind)
            // Each answer now takes 350 ms: a round of three needs over a second of a 300 ms interval.
            for scale in ["s1", "s2", "s3"] {
                warehouse.trigger(.fault(Fault(kind: .slow(delay: 0.35, jitter: 0))), on: scale)
            }
            let behind = await AgentFixtures.eventually(within: .seconds(20)) {
                poller.scheduleState.isBehind
                    && !warehouse.logs.lines("bus cannot keep its schedule; polls are skipped").isEmpty
            }
            #expect(behind)
            let lines = warehouse.logs.lines("bus cannot keep its schedule; polls are skipped")
            #expect(lines.count == 1)
            let line = try #require(lines.first)
            #expect(line.metadata["bus"] == "main")
            let actual = try #require(line.metadata["actual_round"].flatMap { Double($0.dropLast()) })
            let predicted = try #require(line.metadata["predicted_round"].flatMap { Double($0.dropLast()) })
            #expect(actual >= 0.3, "actual round \(actual) s: at least the slow poll that skipped a slot")
            try await Task.sleep(for: .seconds(1.5))
            #expect(poller.scheduleState.actualRound >= .seconds(1), "every scale's last poll was slow")
            #expect(predicted < 0.05, "predicted round \(predicted) s")
            let skipped = try testMetrics.expectCounter("stockpile_bus_skipped_slots_total", [("bus", "main")])
            #expect(skipped.totalValue > 0)
            // Still fair: every scale is read, none starved.
            for scale in ["s1", "s2", "s3"] {
                #expect(try await warehouse.readings(scale, "gross").count >= 5)
            }
            // Back to quick answers: the bus catches up and says so, once.
            for scale in ["s1", "s2", "s3"] { warehouse.trigger(.clearFaults, on: scale) }
            let caughtUp = await AgentFixtures.eventually(within: .seconds(30)) {
                !poller.scheduleState.isBehind && !warehouse.logs.lines("bus keeps its schedule again").isEmpty
            }
            #expect(caughtUp)
            #expect(warehouse.logs.lines("bus keeps its schedule again").count == 1)
            warehouse.expectNoWrites()
        }
    }
}
