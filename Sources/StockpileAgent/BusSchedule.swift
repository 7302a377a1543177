import StockpileDomain

/// The timetable of one bus: when each poll group of each device is next due.
///
/// Earliest deadline first, one device at a time: a lane always takes the group due soonest whose
/// device no other lane is polling. With equal intervals that is round-robin, so every device on a
/// bus gets its turn however many share it; a late group goes first and is not starved. Periodic
/// groups keep a fixed rate (the next slot is the last slot plus the interval, not "now plus the
/// interval"), so the time a poll takes does not make the interval drift.
struct BusSchedule: Sendable {
    struct Entry: Sendable {
        var device: Int
        var group: Int
        /// When the group is next due; nil while it is not scheduled (an identity group already read).
        var due: ContinuousClock.Instant?
    }

    private(set) var entries: [Entry] = []
    private var busyDevices: Set<Int> = []

    init(groupsPerDevice: [Int], start: ContinuousClock.Instant) {
        for (device, groups) in groupsPerDevice.enumerated() {
            for group in 0..<groups {
                entries.append(Entry(device: device, group: group, due: start))
            }
        }
    }

    /// A claimed group: the lane polls it, then calls `release`.
    struct Claim: Sendable {
        var entry: Int
        var device: Int
        var group: Int
        var due: ContinuousClock.Instant
    }

    /// The group due soonest whose device is free, marked busy; nil when none is scheduled.
    mutating func claim() -> Claim? {
        var best: Int?
        for index in entries.indices {
            guard let due = entries[index].due, !busyDevices.contains(entries[index].device) else { continue }
            if let current = best, let currentDue = entries[current].due, currentDue <= due { continue }
            best = index
        }
        guard let best, let due = entries[best].due else { return nil }
        busyDevices.insert(entries[best].device)
        return Claim(entry: best, device: entries[best].device, group: entries[best].group, due: due)
    }

    /// Every group already due at `now` whose device is free, earliest first, one per device, at
    /// most `limit`: a lane that finds several due reads them all in one hop to its thread.
    mutating func claimDue(at now: ContinuousClock.Instant, limit: Int) -> [Claim] {
        let due = entries.indices.filter { index in
            guard let due = entries[index].due else { return false }
            return due <= now && !busyDevices.contains(entries[index].device)
        }.sorted { entries[$0].due! < entries[$1].due! }
        var claims: [Claim] = []
        for index in due where claims.count < limit {
            guard busyDevices.insert(entries[index].device).inserted else { continue }
            claims.append(
                Claim(
                    entry: index, device: entries[index].device, group: entries[index].group, due: entries[index].due!))
        }
        return claims
    }

    /// Frees the claimed group's device and sets when the group is next due (nil: not again).
    mutating func release(_ claim: Claim, nextDue: ContinuousClock.Instant?) {
        entries[claim.entry].due = nextDue
        busyDevices.remove(claim.device)
    }

    /// Takes every group of `device` but one off the timetable: a quarantined device is probed by
    /// one group only.
    mutating func unschedule(device: Int, except entry: Int) {
        for index in entries.indices where entries[index].device == device && index != entry {
            entries[index].due = nil
        }
    }

    /// Puts every group of `device` but one back on the timetable, due at `due`: a device back from
    /// quarantine is read whole again, its identity included.
    mutating func rearm(device: Int, except entry: Int, at due: ContinuousClock.Instant) {
        for index in entries.indices where entries[index].device == device && index != entry {
            entries[index].due = due
        }
    }

    /// Moves every scheduled group of `device` due before `instant` to `instant`: a unit kept quiet
    /// after a timeout is not asked again until its guard has passed, and the lane is not held up
    /// waiting for it meanwhile.
    mutating func postpone(device: Int, until instant: ContinuousClock.Instant) {
        for index in entries.indices where entries[index].device == device {
            if let due = entries[index].due, due < instant { entries[index].due = instant }
        }
    }

    /// The next slot of a periodic group after a poll due at `due` finished at `now`: `due + interval`,
    /// or the first later slot not already past, with the number of slots skipped.
    static func nextSlot(
        after due: ContinuousClock.Instant, interval: Duration, now: ContinuousClock.Instant
    ) -> (due: ContinuousClock.Instant, skipped: Int) {
        var next = due + interval
        var skipped = 0
        if next < now {
            // Whole intervals behind: skip them rather than fire a burst of catch-up polls.
            skipped = Int(((now - next) / interval).rounded(.down)) + 1
            next += interval * skipped
        }
        return (next, skipped)
    }
}
