import StockpileDomain

/// What a bus poller knows between polls: its devices and their health, its timetable, and
/// whether it keeps its schedule.
///
/// Pure and time-free: the poller holds it under its lock and passes `now`; tests drive it on
/// synthetic instants, so the schedule, quarantine and overrun rules are checked exactly.
struct BusState: Sendable {
    var devices: [PolledDevice]
    var schedule: BusSchedule
    var monitor: ScheduleMonitor
    var completedPolls = 0
    var transactions = 0

    /// What one group's poll changed, to be reported outside the lock.
    struct Settled: Sendable {
        /// The poll, counted: judged here, counted in the metrics later.
        var outcome: PollOutcome
        var transition: DeviceHealthTracker.Transition?
        var health: DeviceHealth?
        var scheduleChange: ScheduleMonitor.Change?
        var periodic: Bool
        var skipped: Int
    }

    /// Judges one finished poll, sets when its group is next due, and frees its device.
    ///
    /// - A device that goes (or stays) offline is probed by this group alone, after the back-off.
    /// - A periodic group's next slot keeps the fixed rate; whole missed slots are skipped.
    /// - A device back from quarantine has all its groups due again, identity included.
    /// - A unit kept quiet after a timeout (`quietUntil`) is next asked when its guard has passed.
    mutating func settle(
        _ claim: BusSchedule.Claim, cadence: PollSchedule.Cadence, outcome: PollOutcome, elapsed: Duration,
        quietUntil: ContinuousClock.Instant?, now: ContinuousClock.Instant
    ) -> Settled {
        defer {
            if let quietUntil { schedule.postpone(device: claim.device, until: quietUntil) }
        }
        completedPolls += 1
        transactions += outcome.transactions
        let transition = devices[claim.device].tracker.record(outcome)
        let polled = devices[claim.device]
        let health = polled.tracker.health
        var settled = Settled(outcome: outcome, transition: transition, health: health, periodic: false, skipped: 0)
        if health == .offline {
            let next = now + polled.backoff.delay(afterSilentProbes: polled.silentProbes)
            if transition != nil {
                // Only this group probes while the device is quarantined.
                schedule.unschedule(device: claim.device, except: claim.entry)
            }
            schedule.release(claim, nextDue: next)
            return settled
        }
        var next: ContinuousClock.Instant?
        if case .every(let interval) = cadence {
            let slot = BusSchedule.nextSlot(after: claim.due, interval: interval, now: now)
            next = slot.due
            settled.periodic = true
            settled.skipped = slot.skipped
            settled.scheduleChange = monitor.record(
                entry: claim.entry, pollTime: elapsed, skipped: slot.skipped, now: now)
        }
        schedule.release(claim, nextDue: next)
        if transition?.from == .offline {
            // Back from quarantine: every group again, identity included.
            schedule.rearm(device: claim.device, except: claim.entry, at: now)
        }
        return settled
    }
}
