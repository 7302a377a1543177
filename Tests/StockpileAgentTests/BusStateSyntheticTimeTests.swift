import Foundation
@testable import StockpileAgent
import StockpileDomain
import StockpileTestSupport
import Testing

/// The poller's schedule, quarantine and overrun rules on synthetic instants: one lane, as on an
/// RTU line, with each poll's cost and outcome chosen by the test. Exact, and nothing waits.
@Suite("bus scheduling on synthetic time")
struct BusStateSyntheticTimeTests {
    /// One lane taking the group due soonest, as `BusPoller` does, on a clock the test moves.
    struct VirtualLane {
        var state: BusState
        var now: ContinuousClock.Instant
        /// Start instants of every poll, per device.
        var starts: [Int: [ContinuousClock.Instant]] = [:]
        var settled: [(device: Int, settled: BusState.Settled)] = []
        /// The cost and outcome of one poll of a device, given whether it is quarantined.
        let poll: (_ device: Int, _ quarantined: Bool, _ at: ContinuousClock.Instant) -> (Duration, PollOutcome)

        init(
            devices: [SiteConfiguration.Device], start: ContinuousClock.Instant,
            poll: @escaping (Int, Bool, ContinuousClock.Instant) -> (Duration, PollOutcome)
        ) {
            let polled = devices.map(PolledDevice.init)
            let timing = BusTiming(secondsPerCharacter: nil, pauseBetweenRequests: .zero, turnaround: .milliseconds(1))
            let prediction = timing.prediction(
                polled.flatMap { device in
                    zip(device.groups, device.readers).compactMap { group, reader in
                        if case .every(let interval) = group.cadence { return (reader.plan, interval) }
                        return nil
                    }
                })
            state = BusState(
                devices: polled, schedule: BusSchedule(groupsPerDevice: polled.map(\.groups.count), start: start),
                monitor: ScheduleMonitor(prediction: prediction))
            now = start
            self.poll = poll
        }

        mutating func run(until end: ContinuousClock.Instant) {
            while let claim = state.schedule.claim() {
                if claim.due > now { now = claim.due }
                guard now < end else {
                    state.schedule.release(claim, nextDue: claim.due)
                    return
                }
                let quarantined = state.devices[claim.device].tracker.health == .offline
                let (cost, outcome) = poll(claim.device, quarantined, now)
                starts[claim.device, default: []].append(now)
                now += cost
                let cadence = state.devices[claim.device].groups[claim.group].cadence
                let result = state.settle(
                    claim, cadence: cadence, outcome: outcome, elapsed: cost, quietUntil: nil, now: now)
                settled.append((claim.device, result))
            }
        }
    }

    static func device(
        _ name: String, unit: UInt8, every interval: Duration, offlineAfter: Int = 2
    ) throws
        -> SiteConfiguration.Device
    {
        let profile = try ShippedProfiles.load("Devices/sensors/xy-md02.yaml")
        return SiteConfiguration.Device(
            name: name, profile: profile, profilePath: profile.file, bus: "line", unit: unit,
            poll: PollSchedule(every: interval), timeout: .milliseconds(500), retries: 2, offlineAfter: offlineAfter,
            maximumQuarantine: .seconds(4))
    }

    static let clean = PollOutcome(transactions: 1)
    static let silent = PollOutcome(transactions: 1, unanswered: 1, retries: 2, firstFailure: "timeout")

    @Test("a dead unit is quarantined after its silent polls and its neighbours keep their exact 1 s rate")
    func deadUnitOnSyntheticTime() throws {
        let start = ContinuousClock.now
        let devices = [
            try Self.device("a", unit: 1, every: .seconds(1)), try Self.device("b", unit: 2, every: .seconds(1)),
            try Self.device("dead", unit: 3, every: .seconds(1)),
        ]
        // Healthy units take 50 ms; the dead one 3 × 500 ms, or 500 ms as a quarantined probe.
        var lane = VirtualLane(devices: devices, start: start) { device, quarantined, _ in
            device == 2
                ? (quarantined ? .milliseconds(500) : .milliseconds(1500), Self.silent)
                : (.milliseconds(50), Self.clean)
        }
        lane.run(until: start + .seconds(60))

        let dead = lane.settled.filter { $0.device == 2 }
        let offline = try #require(dead.firstIndex { $0.settled.transition?.to == .offline })
        #expect(offline == 1, "offline at its second silent poll")
        #expect(dead.compactMap(\.settled.transition).map(\.to) == [.degraded, .offline], "one transition each")

        // Probes of the quarantined unit: each one backs off from the end of the last, 1 s, 2 s, then 4 s.
        let probes = Array(lane.starts[2]!.dropFirst(2))
        let probeGaps = zip(probes.dropFirst(), probes).map { ($0 - $1) }
        #expect(probeGaps.count >= 10)
        // The first probe follows the poll that took it offline; then each gap is 500 ms plus the
        // back-off, give or take one healthy poll in progress (50 ms).
        for (gap, backoff) in zip(probeGaps, [2, 4, 4, 4, 4, 4, 4, 4].map { Duration.seconds($0) }) {
            #expect(gap >= backoff + .milliseconds(500) && gap <= backoff + .milliseconds(600), "\(probeGaps)")
        }

        // Neighbours, once the dead unit is quarantined: never a skipped slot, and a fixed rate:
        // over any 10 polls the first and last are exactly 9 s apart.
        let quarantinedAt = lane.starts[2]![offline]
        for neighbour in [0, 1] {
            let after = lane.starts[neighbour]!.filter { $0 > quarantinedAt + .seconds(2) }
            #expect(after.count >= 50)
            for window in stride(from: 0, to: after.count - 10, by: 10) {
                let span = after[window + 9] - after[window]
                #expect(span >= .milliseconds(8_450) && span <= .milliseconds(9_550), "polls \(window)…: \(span)")
            }
            let skips = lane.settled.filter { $0.device == neighbour }.dropFirst(4).map(\.settled.skipped)
            #expect(skips.allSatisfy { $0 == 0 }, "no slot missed once the dead unit is quarantined: \(skips)")
            // A probe holds a neighbour back by at most its 500 ms; the fixed rate catches up.
            let gaps = zip(after.dropFirst(), after).map { $0 - $1 }
            #expect(gaps.allSatisfy { $0 <= .milliseconds(1_550) }, "\(gaps.max()!)")
        }
    }

    @Test("a bus whose polls outlast its interval falls behind once and catches up once, after its recovery period")
    func overrunOnSyntheticTime() throws {
        let start = ContinuousClock.now
        let devices = try (1...3).map { try Self.device("s\($0)", unit: UInt8($0), every: .milliseconds(300)) }
        let slowUntil = start + .seconds(5)
        var lane = VirtualLane(devices: devices, start: start) { _, _, at in
            (at < slowUntil ? .milliseconds(350) : .milliseconds(10), Self.clean)
        }
        lane.run(until: start + .seconds(30))
        let changes = lane.settled.compactMap(\.settled.scheduleChange)
        #expect(changes.count == 2, "\(changes)")
        guard case .fellBehind(let behindRound) = changes.first, case .caughtUp(let caughtUpRound) = changes.last else {
            Issue.record("expected fell behind, then caught up: \(changes)")
            return
        }
        #expect(behindRound >= .milliseconds(350), "\(behindRound)")
        #expect(caughtUpRound < .milliseconds(100), "\(caughtUpRound)")
        #expect(lane.state.monitor.skippedSlots > 0)
        // Caught up no sooner than the recovery period (max(5 intervals, 5 s)) after the last skip.
        let lastSkip = try #require(lane.settled.lastIndex { $0.settled.skipped > 0 })
        let caughtUp = try #require(
            lane.settled.firstIndex {
                if case .caughtUp = $0.settled.scheduleChange { return true }
                return false
            })
        #expect(caughtUp > lastSkip)
        // Fair while behind: every scale was polled.
        for device in 0..<3 { #expect(lane.starts[device, default: []].filter { $0 < slowUntil }.count >= 4) }
    }

    @Test("a unit kept quiet after a timeout is next due when its guard ends; its neighbour is not held up")
    func quietUnitIsPostponed() throws {
        let start = ContinuousClock.now
        let devices = [
            try Self.device("a", unit: 1, every: .seconds(1)), try Self.device("b", unit: 2, every: .seconds(1)),
        ]
        var state = VirtualLane(devices: devices, start: start) { _, _, _ in (.zero, Self.clean) }.state
        // Every group of both devices is due at start; b times out and is kept quiet for 3 s.
        var claims = state.schedule.claimDue(at: start, limit: 32)
        while !claims.isEmpty {
            let claim = claims.removeFirst()
            defer { if claims.isEmpty { claims = state.schedule.claimDue(at: start, limit: 32) } }
            let quiet: ContinuousClock.Instant? = claim.device == 1 ? start + .seconds(3) : nil
            let cadence = state.devices[claim.device].groups[claim.group].cadence
            _ = state.settle(
                claim, cadence: cadence, outcome: claim.device == 1 ? Self.silent : Self.clean,
                elapsed: .milliseconds(500), quietUntil: quiet, now: start + .milliseconds(500))
        }
        let due = state.schedule.entries.map { ($0.device, $0.due) }
        for (device, instant) in due {
            guard let instant else { continue }
            if device == 1 {
                #expect(instant >= start + .seconds(3), "b waits out its guard")
            } else {
                #expect(instant == start + .seconds(1), "a keeps its slot")
            }
        }
    }
}
