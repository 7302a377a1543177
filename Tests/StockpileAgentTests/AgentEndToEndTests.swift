import Foundation
import Modbus
import SimulatorCore
import StockpileAgent
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import Testing

/// The agent against the simulator over TCP and the RTU pty: what lands in the store.
@Suite(.serialized) struct AgentEndToEndTests {
    static let scenario = """
        name: agent-test
        seed: 5
        step: 50ms
        tcp:
          - {name: main, port: 0}
        rtu:
          - {name: line1}
        devices:
          - name: scale
            profile: scales/laumas-tlu.yaml
            transport: main
            unit: 1
            model: scale
            parameters: {load: 1200, noise_divisions: 0, settling_s: 1.5}
          - name: scale2
            profile: scales/flintec-ft11.yaml
            transport: main
            unit: 2
            model: scale
            parameters: {load: 800, noise_divisions: 0}
          - name: climate
            profile: sensors/xy-md02.yaml
            transport: line1
            unit: 2
            model: environment
            parameters: {temperature: 18, temperature_amplitude: 0, temperature_noise: 0, humidity: 40, humidity_amplitude: 0, humidity_noise: 0}
          - name: vaisala
            profile: sensors/vaisala-hmp.yaml
            transport: line1
            unit: 3
            model: environment
            parameters: {temperature: 21, temperature_amplitude: 0, temperature_noise: 0, humidity: 35, humidity_amplitude: 0, humidity_noise: 0}
        """

    static let site = """
        site: {id: agent-test, name: Agent test}
        data_directory: unused
        store: {flush_interval: 200ms}
        defaults: {poll: 300ms, timeout: 300ms, retries: 0, offline_after: 2, quarantine_max: 1s, late_answer_guard: 300ms}
        tcp:
          - {name: main, host: 127.0.0.1, port: $TCP}
        rtu:
          - {name: line1, device: $PTY, baud: 9600, parity: E}
        devices:
          - name: scale
            profile: scales/laumas-tlu.yaml
            bus: main
            unit: 1
            location: {name: bay-1, capacity: 5000, division: 1, class: III}
          - name: scale2
            profile: scales/flintec-ft11.yaml
            bus: main
            unit: 2
            location: {name: bay-2, capacity: 5000, division: 1, class: III}
          - name: climate
            profile: sensors/xy-md02.yaml
            bus: line1
            unit: 2
            zone: bay
          - name: vaisala
            profile: sensors/vaisala-hmp.yaml
            bus: line1
            unit: 3
            zone: bay
        """

    static func number(_ reading: Reading) -> Double? {
        reading.value?.number
    }

    static func describe(_ readings: [Reading]) -> String {
        readings.map { "\($0.value?.description ?? "-") \($0.quality.rawValue)" }.joined(separator: ", ")
    }

    @Test func readingsLandWithTheirValuesAndQualitiesOverTCPAndRTU() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let arrived = try await AgentFixtures.eventually {
                let gross = try await warehouse.readings("scale", "gross")
                let flintec = try await warehouse.readings("scale2", "displayed_weight")
                let temperature = try await warehouse.readings("climate", "temperature")
                let humidity = try await warehouse.readings("vaisala", "humidity")
                return gross.count >= 8 && [flintec, temperature, humidity].allSatisfy { $0.count >= 3 }
            }
            #expect(arrived)
            let gross = try await warehouse.readings("scale", "gross")
            #expect(gross.allSatisfy { $0.quality == .good && Self.number($0) == 1200 })
            #expect(try await warehouse.readings("scale2", "displayed_weight").allSatisfy { Self.number($0) == 800 })
            let climate = try await warehouse.readings("climate", "temperature")
            #expect(climate.allSatisfy { $0.quality == .good && Self.number($0) == 18 })
            #expect(try await warehouse.readings("climate", "humidity").allSatisfy { Self.number($0) == 40 })
            let vaisala = try await warehouse.readings("vaisala", "temperature")
            #expect(vaisala.allSatisfy { $0.quality == .good && abs(Self.number($0)! - 21) < 0.01 })
            // The stable flag is stored as a point of its own, read with the weight it qualifies.
            #expect(try await warehouse.readings("scale", "stable").contains { $0.value == .bool(true) })
            // The fixed rate itself is checked on synthetic time (BusStateSyntheticTimeTests); here,
            // only that polls came in order and more than one of each.
            let times = gross.map(\.time.timeIntervalSince1970)
            #expect(times == times.sorted() && times.count >= 2)
            for device in ["scale", "scale2", "climate", "vaisala"] {
                let events = try await warehouse.healthEvents(device)
                #expect(events.first?.to == .online && events.first?.from == nil, "\(device): \(events)")
            }
            warehouse.expectNoWrites()
        }
    }

    @Test func aScaleInMotionIsUncertainThenGoodAtItsNewWeight() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let ready1 = try await AgentFixtures.eventually { try await !warehouse.readings("scale", "gross").isEmpty }
            #expect(ready1)
            let before = Date()
            let load = TimelineEntry.Action.event(.addLoad(300))
            warehouse.trigger(load, on: "scale")
            let settled = try await AgentFixtures.eventually {
                let readings = try await warehouse.readings("scale", "gross")
                return Self.settled(readings, after: before, at: 1500)
            }
            #expect(settled)
            let after = try await warehouse.readings("scale", "gross").filter { $0.time > before }
            let moving = after.filter { $0.quality == .uncertain }
            let seen = Self.describe(after)
            #expect(!moving.isEmpty, "readings while settling: \(seen)")
            // Uncertain while settling, good once settled: never good at a weight between the two.
            let good = after.filter { $0.quality == .good }
            #expect(good.allSatisfy { Self.number($0) == 1500 })
            warehouse.expectNoWrites()
        }
    }

    static func settled(_ readings: [Reading], after time: Date, at weight: Double) -> Bool {
        readings.contains { $0.time > time && $0.quality == .good && $0.value?.number == weight }
    }

    @Test func anOfflineWindowGoesStaleThenOfflineAndRecovers() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let ready2 = try await AgentFixtures.eventually {
                try await !warehouse.readings("climate", "temperature").isEmpty
            }
            #expect(ready2)
            let before = Date()
            warehouse.trigger(.fault(Fault(kind: .offline, duration: 2.5)), on: "climate")
            let recovered = try await AgentFixtures.eventually {
                try await warehouse.healthEvents("climate").contains { $0.time > before && $0.from == .offline }
            }
            #expect(recovered)
            let ready6 = try await AgentFixtures.eventually {
                try await warehouse.readings("climate", "temperature").last?.quality == .good
            }
            #expect(ready6)
            let window = try await warehouse.readings("climate", "temperature").filter { $0.time > before }
            let qualities = window.map(\.quality)
            // First polls without an answer: stale; once judged offline: offline; then good again.
            let firstStale = try #require(qualities.firstIndex(of: .stale))
            let firstOffline = try #require(qualities.firstIndex(of: .offline))
            let lastOffline = try #require(qualities.lastIndex(of: .offline))
            #expect(firstStale < firstOffline)
            #expect(qualities[(lastOffline + 1)...].allSatisfy { $0 == .good })
            // No value is ever made up for a poll that got no answer.
            #expect(window.filter { $0.quality != .good }.allSatisfy { $0.value == nil })
            #expect(window.filter { $0.quality == .good }.allSatisfy { Self.number($0) == 18 })

            let transitions = try await warehouse.healthEvents("climate").filter { $0.time > before }
            #expect(transitions.map(\.to) == [.degraded, .offline, .online], "\(transitions)")
            #expect(transitions[1].reason.contains("timeout"), "\(transitions[1].reason)")
            // Quarantined: probed with back-off (300 ms, 600 ms, 1 s ...), not every 300 ms.
            let offlineSpan = window[firstOffline...lastOffline]
            #expect(offlineSpan.count <= 6, "\(offlineSpan.count) probes in the offline window")
            // One log line per change, not per poll.
            let offlineLines = warehouse.logs.lines("device offline; quarantined")
            #expect(offlineLines.count == 1)
            #expect(offlineLines.first?.metadata["device"] == "climate")
            #expect(offlineLines.first?.metadata["unit"] == "2")
            #expect(offlineLines.first?.metadata["bus"] == "line1")
            // Its neighbour on the line kept being read.
            let vaisala = try await warehouse.readings("vaisala", "temperature").filter { $0.time > before }
            #expect(vaisala.count >= 8 && vaisala.allSatisfy { $0.quality == .good })
            warehouse.expectNoWrites()
        }
    }

    @Test func exceptionsAreBadReadingsWithoutValues() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let ready3 = try await AgentFixtures.eventually { try await !warehouse.readings("scale", "gross").isEmpty }
            #expect(ready3)
            let before = Date()
            warehouse.trigger(.fault(Fault(kind: .exception(code: 2, probability: 1), duration: 1.2)), on: "scale")
            let ready7 = try await AgentFixtures.eventually {
                try await warehouse.healthEvents("scale").contains { $0.time > before && $0.to == .online }
            }
            #expect(ready7)
            let window = try await warehouse.readings("scale", "gross").filter { $0.time > before }
            let bad = window.filter { $0.quality == .bad }
            #expect(bad.count >= 2)
            #expect(bad.allSatisfy { $0.value == nil })
            #expect(window.filter { $0.value != nil }.allSatisfy { $0.quality == .good && Self.number($0) == 1200 })
            let degraded = try #require(try await warehouse.healthEvents("scale").first { $0.to == .degraded })
            #expect(degraded.reason.contains("illegal data address"), "\(degraded.reason)")
            // A refusal is an answer: the device is degraded, never offline.
            #expect(try await !warehouse.healthEvents("scale").contains { $0.to == .offline })
            warehouse.expectNoWrites()
        }
    }

    @Test func droppedConnectionsAreReopenedAndPollingResumes() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let ready4 = try await AgentFixtures.eventually { try await !warehouse.readings("scale", "gross").isEmpty }
            #expect(ready4)
            let before = Date()
            warehouse.trigger(.fault(Fault(kind: .dropConnection, requests: 3)), on: "scale")
            let ready8 = try await AgentFixtures.eventually {
                let events = try await warehouse.healthEvents("scale").filter { $0.time > before }
                let recent = try await warehouse.readings("scale", "gross").filter { $0.time > before }
                return events.contains { $0.to == .online } && recent.suffix(3).count == 3
                    && recent.suffix(3).allSatisfy { $0.quality == .good }
            }
            #expect(ready8)
            let window = try await warehouse.readings("scale", "gross").filter { $0.time > before }
            #expect(window.contains { $0.value == nil }, "the dropped polls are recorded without a value")
            #expect(window.filter { $0.value != nil }.allSatisfy { Self.number($0) == 1200 })
            // The other scale on the same connection is read again too.
            let neighbour = try await warehouse.readings("scale2", "displayed_weight").filter { $0.time > before }
            #expect(neighbour.suffix(2).allSatisfy { $0.quality == .good && Self.number($0) == 800 })
            #expect(warehouse.logs.lines("connected").count >= 2, "connected, then reconnected")
            warehouse.expectNoWrites()
        }
    }

    @Test func aDeviceSlowerThanItsTimeoutNeverShiftsItsNeighboursAnswers() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let ready5 = try await AgentFixtures.eventually {
                try await !warehouse.readings("climate", "humidity").isEmpty
            }
            #expect(ready5)
            let before = Date()
            // Answers 450 ms late against a 300 ms timeout: every answer arrives after the next request.
            warehouse.trigger(.fault(Fault(kind: .slow(delay: 0.45, jitter: 0), duration: 2)), on: "climate")
            try await Task.sleep(for: .seconds(2.5))
            let ready9 = try await AgentFixtures.eventually {
                try await warehouse.readings("climate", "humidity").last?.quality == .good
            }
            #expect(ready9)
            let climate = try await warehouse.readings("climate", "humidity").filter { $0.time > before }
            #expect(climate.contains { $0.value == nil })
            #expect(climate.filter { $0.value != nil }.allSatisfy { Self.number($0) == 40 })
            // The neighbour's values stay its own: a late climate answer is never taken for vaisala's.
            for point in ["temperature", "humidity"] {
                let vaisala = try await warehouse.readings("vaisala", point).filter { $0.time > before }
                let expected: Double = point == "temperature" ? 21 : 35
                #expect(vaisala.filter { $0.value != nil }.allSatisfy { abs(Self.number($0)! - expected) < 0.01 })
                #expect(vaisala.filter { $0.quality == .good }.count >= 4)
            }
            warehouse.expectNoWrites()
        }
    }

    @Test func aGatewayRestartTakesItsDevicesOfflineAndTheyComeBack() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let ready = try await AgentFixtures.eventually { try await !warehouse.readings("scale", "gross").isEmpty }
            #expect(ready)
            let server = try #require(warehouse.simulator.server(for: "main"))
            let port = try #require(warehouse.endpoints["main"]?.port)
            let before = Date()
            // The gateway goes away: connections refused, then it listens on the same port again.
            await Task.detached { server.stop() }.value
            let bothOffline = try await AgentFixtures.eventually {
                let scale = try await warehouse.healthEvents("scale").contains { $0.time > before && $0.to == .offline }
                let scale2 = try await warehouse.healthEvents("scale2").contains {
                    $0.time > before && $0.to == .offline
                }
                return scale && scale2
            }
            #expect(bothOffline)
            let restarted = Date()
            _ = try await Task.detached { try server.startTCP(host: "127.0.0.1", port: port) }.value
            let back = try await AgentFixtures.eventually(within: .seconds(30)) {
                let gross = try await warehouse.readings("scale", "gross").filter { $0.time > restarted }
                let weight = try await warehouse.readings("scale2", "displayed_weight").filter { $0.time > restarted }
                return gross.contains { $0.quality == .good } && weight.contains { $0.quality == .good }
            }
            #expect(back)
            let events = try await warehouse.healthEvents("scale").filter { $0.time > before }
            #expect(events.last?.to == .online, "\(events)")
            let window = try await warehouse.readings("scale", "gross").filter {
                $0.time > before && $0.time < restarted
            }
            #expect(!window.isEmpty && window.allSatisfy { $0.value == nil }, "no value while the gateway was down")
            // The RTU line was never affected: it kept being read, every reading good.
            let polled = try await AgentFixtures.eventually {
                try await warehouse.readings("climate", "temperature").filter { $0.time > before }.count >= 3
            }
            #expect(polled)
            let climate = try await warehouse.readings("climate", "temperature").filter { $0.time > before }
            #expect(climate.allSatisfy { $0.quality == .good }, "\(Self.describe(climate))")
            warehouse.expectNoWrites()
        }
    }

    @Test func aMismatchedReplyIsBadAndTheLineRecovers() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let ready = try await AgentFixtures.eventually {
                try await !warehouse.readings("climate", "humidity").isEmpty
            }
            #expect(ready)
            let before = Date()
            // The climate sensor answers as another unit id: libmodbus rejects the reply on RTU.
            warehouse.trigger(.fault(Fault(kind: .wrongUnit, requests: 3)), on: "climate")
            let recovered = try await AgentFixtures.eventually {
                let recent = try await warehouse.readings("climate", "humidity").filter { $0.time > before }
                return recent.suffix(2).count == 2 && recent.suffix(2).allSatisfy { $0.quality == .good }
            }
            #expect(recovered)
            let window = try await warehouse.readings("climate", "humidity").filter { $0.time > before }
            let failed = window.filter { $0.quality != .good }
            #expect(!failed.isEmpty && failed.allSatisfy { $0.value == nil })
            #expect(window.filter { $0.value != nil }.allSatisfy { Self.number($0) == 40 })
            let vaisala = try await warehouse.readings("vaisala", "humidity").filter { $0.time > before }
            #expect(vaisala.filter { $0.value != nil }.allSatisfy { abs(Self.number($0)! - 35) < 0.01 })
            warehouse.expectNoWrites()
        }
    }

    @Test func aLateTCPAnswerIsNeverTakenForTheNextDevicesOnTheSameConnection() async throws {
        try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let ready = try await AgentFixtures.eventually { try await !warehouse.readings("scale", "gross").isEmpty }
            #expect(ready)
            let before = Date()
            // Scale answers 450 ms late against a 300 ms timeout, on the connection scale2 shares:
            // each late answer carries an old transaction id.
            warehouse.trigger(.fault(Fault(kind: .slow(delay: 0.45, jitter: 0), duration: 2)), on: "scale")
            try await Task.sleep(for: .seconds(2.5))
            let recovered = try await AgentFixtures.eventually {
                try await warehouse.readings("scale", "gross").last?.quality == .good
            }
            #expect(recovered)
            let scale = try await warehouse.readings("scale", "gross").filter { $0.time > before }
            #expect(scale.contains { $0.value == nil })
            #expect(scale.filter { $0.value != nil }.allSatisfy { Self.number($0) == 1200 })
            // One connection serves both: scale's late answers, with old transaction ids, arrive
            // while scale2's requests wait for their own. They are read past and counted, so
            // scale2 loses no poll and never gets a value that is not its own.
            let neighbour = try await warehouse.readings("scale2", "displayed_weight").filter { $0.time > before }
            #expect(neighbour.count >= 5)
            #expect(
                neighbour.allSatisfy { $0.quality == .good && Self.number($0) == 800 }, "\(Self.describe(neighbour))")
            let discarded = testMetrics.counters.filter {
                $0.label == "stockpile_discarded_answers_total" && $0.dimensions.contains { $0 == ("device", "scale2") }
            }
            #expect(discarded.contains { $0.totalValue > 0 }, "the late answers were counted")
            warehouse.expectNoWrites()
        }
    }
}
