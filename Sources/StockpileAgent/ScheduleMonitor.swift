import StockpileDomain

/// Watches whether a bus keeps its schedule, and says when that changes.
///
/// A bus falls behind when a periodic group misses a whole slot (its next poll would already be
/// late by an interval or more); it has caught up again once no slot has been missed for
/// `recoveryPeriod`. The report gives the predicted round (every periodic group once, from
/// `BusTiming`) and the actual one: the sum of each group's last poll time.
struct ScheduleMonitor: Sendable {
    let prediction: BusTiming.Prediction
    let recoveryPeriod: Duration
    private var lastPollTime: [Int: Duration] = [:]
    private var lastSkip: ContinuousClock.Instant?
    private(set) var isBehind = false
    private(set) var skippedSlots = 0

    init(prediction: BusTiming.Prediction) {
        self.prediction = prediction
        self.recoveryPeriod = max(prediction.shortestInterval * 5, .seconds(5))
    }

    enum Change: Sendable {
        case fellBehind(actualRound: Duration)
        case caughtUp(actualRound: Duration)
    }

    /// The bus time one round took, from the last poll of each periodic group.
    var actualRound: Duration {
        lastPollTime.values.reduce(.zero, +)
    }

    /// Takes one periodic poll: how long it took and how many slots its group skipped.
    mutating func record(
        entry: Int, pollTime: Duration, skipped: Int, now: ContinuousClock.Instant
    ) -> Change? {
        lastPollTime[entry] = pollTime
        if skipped > 0 {
            skippedSlots += skipped
            lastSkip = now
            if !isBehind {
                isBehind = true
                return .fellBehind(actualRound: actualRound)
            }
        } else if isBehind, let lastSkip, now - lastSkip >= recoveryPeriod {
            isBehind = false
            return .caughtUp(actualRound: actualRound)
        }
        return nil
    }
}
