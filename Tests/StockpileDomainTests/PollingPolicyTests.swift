import StockpileDomain
import Testing

@Suite("Device health, quarantine back-off and held values")
struct PollingPolicyTests {
    @Test("health: online when clean, degraded on failures, offline after N silent polls, back on an answer")
    func healthTransitions() {
        var tracker = DeviceHealthTracker(offlineAfter: 3)
        let clean = PollOutcome(transactions: 2)
        let silent = PollOutcome(transactions: 2, unanswered: 2, firstFailure: "timeout reading holding 0–13")
        let refused = PollOutcome(transactions: 2, refused: 1, firstFailure: "illegal data address (exception 2)")
        #expect(tracker.record(clean) == .init(from: nil, to: .online, reason: "answered every request"))
        #expect(tracker.record(clean) == nil, "no change, no transition")
        #expect(tracker.record(refused)?.to == .degraded)
        #expect(tracker.record(refused) == nil)
        #expect(tracker.record(silent) == nil, "degraded stays degraded until the third silent poll")
        #expect(tracker.record(silent) == nil)
        let offline = tracker.record(silent)
        #expect(offline?.to == .offline)
        #expect(offline?.reason.contains("3 polls in a row") == true)
        #expect(tracker.record(silent) == nil, "offline stays offline")
        #expect(tracker.silentPolls == 4)
        #expect(tracker.record(clean) == .init(from: .offline, to: .online, reason: "answered every request again"))
        #expect(tracker.silentPolls == 0)
        // A retry that succeeded still degrades: the device is not answering in time.
        #expect(tracker.record(PollOutcome(transactions: 1, retries: 1))?.to == .degraded)
    }

    @Test("a partial answer is degraded, never offline")
    func partialAnswerIsDegraded() {
        var tracker = DeviceHealthTracker(offlineAfter: 1)
        for _ in 0..<5 {
            _ = tracker.record(PollOutcome(transactions: 2, unanswered: 1))
        }
        #expect(tracker.health == .degraded)
    }

    @Test("quarantine back-off doubles from the poll interval up to its cap")
    func backoff() {
        let backoff = QuarantineBackoff(initial: .seconds(1), maximum: .seconds(5))
        #expect((0..<6).map { backoff.delay(afterSilentProbes: $0) } == [1, 2, 4, 5, 5, 5].map { .seconds($0) })
        #expect(
            QuarantineBackoff(initial: .seconds(10), maximum: .seconds(5)).delay(afterSilentProbes: 3) == .seconds(10))
    }

    @Test("a held value keeps its quality for N cycles, then shows stale; offline devices show offline")
    func heldValues() {
        let interval = Duration.seconds(1)
        #expect(
            HeldValue.quality(newest: .good, age: .seconds(3), interval: interval, staleAfterCycles: 3, health: .online)
                == .good)
        #expect(
            HeldValue.quality(
                newest: .good, age: .milliseconds(3100), interval: interval, staleAfterCycles: 3, health: .online)
                == .stale)
        #expect(
            HeldValue.quality(newest: .uncertain, age: .zero, interval: interval, staleAfterCycles: 3, health: .offline)
                == .offline)
        #expect(
            HeldValue.quality(newest: .good, age: .seconds(99), interval: nil, staleAfterCycles: 3, health: nil)
                == .good)
        #expect(ReadingQuality.unanswered(health: .degraded) == .stale)
        #expect(ReadingQuality.unanswered(health: .offline) == .offline)
    }
}

@Suite("Poll groups and bus timing")
struct PollPlanningTests {
    static let profile = """
        vendor: Test
        model: Groups
        kind: scale
        source: {document: fixture}
        points:
          - {name: firmware, table: holding, address: 0, type: uint16, class: identity}
          - name: status
            table: holding
            address: 1
            type: uint16
            class: status
            flags: {stable: 0, err_a: 1, err_b: 2, error: {any: [err_a, err_b]}}
          - name: gross
            table: holding
            address: 2
            type: int16
            quality: {require: [stable], reject: [error]}
          - {name: temperature, table: input, address: 0, type: int16}
        vectors:
          - name: stable 12
            registers:
              - {table: holding, address: 0, values: [1, 1, 12]}
              - {table: input, address: 0, values: [20]}
            expect:
              gross: {value: 12, quality: good}
        """

    @Test("a weight is read with the status word it is qualified by, whatever the status cadence")
    func groupsCarryTheirDependencies() throws {
        let profile = try ProfileLoader.parse(Self.profile, file: "groups.yaml")
        let schedule = PollSchedule(every: .seconds(1), overrides: [.status: .every(.seconds(10))])
        let groups = PollGroup.groups(of: profile, schedule: schedule)
        #expect(groups.map(\.cadence) == [.every(.seconds(1)), .every(.seconds(10)), .once])
        #expect(groups[0].points.map(\.name) == ["status", "gross", "temperature"])
        #expect(groups[1].points.map(\.name) == ["status"])
        #expect(groups[2].points.map(\.name) == ["firmware"])
        // One cadence for everything but identity: one group, one plan.
        #expect(PollGroup.groups(of: profile, schedule: PollSchedule(every: .seconds(1))).count == 2)
    }

    @Test("RTU timing counts characters at the line's speed; TCP only pauses and turnaround")
    func busTiming() {
        let line = SiteConfiguration.Bus.rtu(.init(name: "l", device: "/dev/null", baud: 9600, parity: .even))
        let timing = BusTiming(bus: line)
        let read = PlannedRead(table: .holding, address: 0, count: 14, points: [])
        // 8 + 5 + 28 + 7 characters of 11 bits at 9600 baud = 55 ms, plus 5 ms turnaround.
        let seconds = timing.transactionTime(read).seconds
        #expect(abs(seconds - (48.0 * 11 / 9600 + 0.005)) < 1e-6)
        let tcp = BusTiming(bus: .tcp(.init(name: "t", host: "h", pauseBetweenRequests: .milliseconds(50))))
        #expect(abs(tcp.transactionTime(read).seconds - 0.051) < 1e-9)
        let prediction = timing.prediction([([read], .seconds(1)), ([read, read], .milliseconds(500))])
        #expect(prediction.shortestInterval == .milliseconds(500))
        #expect(abs(prediction.round.seconds - 3 * seconds) < 1e-6)
        #expect(prediction.fits)
        #expect(!timing.prediction(Array(repeating: ([read], .milliseconds(100)), count: 2)).fits)
    }
}
