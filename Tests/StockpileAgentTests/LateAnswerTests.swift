import Foundation
import Modbus
import SimulatorCore
import StockpileAgent
import StockpileDomain
import StockpileStore
import Synchronization
import Testing

/// A slave slower than its timeout on an RTU line: its late answers carry no transaction id, so
/// only the line discipline (flush before each request, the unit kept quiet for its guard after a
/// timeout) keeps them from being stored as the next poll's value.
@Suite(.serialized) struct LateAnswerTests {
    /// The end-to-end site, with the climate sensor slow to poll and the default guard (the
    /// shared site's short one keeps its other tests fast).
    static let site = AgentEndToEndTests.site.replacingOccurrences(of: ", late_answer_guard: 300ms", with: "")
        .replacingOccurrences(
            of: """
                  - name: climate
                    profile: sensors/xy-md02.yaml
                    bus: line1
                    unit: 2
                """,
            with: """
                  - name: climate
                    profile: sensors/xy-md02.yaml
                    bus: line1
                    unit: 2
                    poll: 2s
                    timeout: 500ms
                """)

    /// The humidity pinned on the simulated sensor over time, to tell which value a poll could see.
    final class PinHistory: Sendable {
        private let changes = Mutex<[(time: Date, value: Double)]>([])

        func record(_ value: Double) { changes.withLock { $0.append((Date(), value)) } }

        /// Every value pinned at some instant within `window` of `time` (the simulator encodes a
        /// pin at once; a poll's time is when its request went out).
        func values(near time: Date, window: TimeInterval = 0.25) -> Set<Double> {
            changes.withLock { changes in
                var result: Set<Double> = []
                for (index, change) in changes.enumerated() {
                    let end = index + 1 < changes.count ? changes[index + 1].time : .distantFuture
                    if change.time <= time.addingTimeInterval(window), end >= time.addingTimeInterval(-window) {
                        result.insert(change.value)
                    }
                }
                return result
            }
        }
    }

    @Test func aSlowRTUSensorsLateAnswersAreNeverStoredAsLaterPolls() async throws {
        #expect(
            Self.site.contains("timeout: 500ms") && !Self.site.contains("late_answer_guard"),
            "the site override applied")
        try await AgentFixtures.run(scenario: AgentEndToEndTests.scenario, site: Self.site) { warehouse in
            let pins = PinHistory()
            func pin(_ value: Double) {
                pins.record(value)
                #expect(warehouse.engine.override("humidity", value: .some(.number(value)), device: "climate"))
            }
            pin(50)
            let ready = try await AgentFixtures.eventually {
                try await warehouse.readings("climate", "humidity").last.map(AgentEndToEndTests.number) == 50
            }
            #expect(ready)
            let before = Date()
            // Answers 2 s late against a 500 ms timeout and a 2 s poll: each answer would arrive
            // just as the next poll's request goes out. The value changes every 0.7 s meanwhile.
            warehouse.trigger(.fault(Fault(kind: .slow(delay: 2, jitter: 0), duration: 7)), on: "climate")
            for step in 1...10 {
                try await Task.sleep(for: .milliseconds(700))
                pin(50 + Double(step))
            }
            let faultEnded = Date()
            let recovered = try await AgentFixtures.eventually(within: .seconds(45)) {
                let after = try await warehouse.readings("climate", "humidity").filter { $0.time > faultEnded }
                return after.filter { $0.quality == .good }.count >= 2
            }
            #expect(recovered)
            let readings = try await warehouse.readings("climate", "humidity").filter { $0.time > before }
            #expect(readings.contains { $0.value == nil }, "the slow polls stored no value")
            for reading in readings {
                guard let value = AgentEndToEndTests.number(reading) else { continue }
                let possible = pins.values(near: reading.time)
                #expect(
                    possible.contains(value),
                    "a reading at \(reading.time) carries \(value), pinned then: \(possible.sorted())")
            }
            // The neighbour on the line is never given the slow sensor's answers.
            let vaisala = try await warehouse.readings("vaisala", "humidity").filter { $0.time > before }
            #expect(vaisala.filter { $0.value != nil }.allSatisfy { abs(AgentEndToEndTests.number($0)! - 35) < 0.01 })
            #expect(vaisala.filter { $0.quality == .good }.count >= 10)
            warehouse.expectNoWrites()
        }
    }
}
