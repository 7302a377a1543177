/// Judges a device's health from its polls, and says when it changes and why.
///
/// - A clean poll (every transaction answered at the first attempt) makes it `online`.
/// - A poll with refusals, retries or some silent transactions makes it `degraded`.
/// - `offlineAfter` silent polls in a row make it `offline`; the poller then quarantines it.
///
/// Pure: the poller feeds outcomes and logs and stores the transitions it returns.
public struct DeviceHealthTracker: Hashable, Sendable {
    /// Silent polls in a row after which a device is `offline`.
    public let offlineAfter: Int
    /// The current health; nil before the first poll.
    public private(set) var health: DeviceHealth?
    /// Silent polls since the last answer.
    public private(set) var silentPolls = 0

    public init(offlineAfter: Int = 3) {
        self.offlineAfter = max(offlineAfter, 1)
    }

    /// A change of health: from what, to what, and why.
    public struct Transition: Hashable, Sendable {
        public var from: DeviceHealth?
        public var to: DeviceHealth
        public var reason: String

        public init(from: DeviceHealth?, to: DeviceHealth, reason: String) {
            self.from = from
            self.to = to
            self.reason = reason
        }
    }

    /// Takes one poll's outcome; returns the transition it caused, if any.
    public mutating func record(_ outcome: PollOutcome) -> Transition? {
        let next: DeviceHealth
        let reason: String
        if outcome.isSilent {
            silentPolls += 1
            let failure = outcome.firstFailure ?? "no answer"
            if silentPolls >= offlineAfter {
                next = .offline
                reason = silentPolls == 1 ? failure : "\(failure); \(silentPolls) polls in a row without an answer"
            } else {
                // Already offline stays offline until the device answers.
                next = health == .offline ? .offline : .degraded
                reason = failure
            }
        } else {
            silentPolls = 0
            if outcome.isClean {
                next = .online
                reason = health == nil ? "answered every request" : "answered every request again"
            } else {
                next = .degraded
                reason = Self.describe(outcome)
            }
        }
        guard next != health else { return nil }
        let transition = Transition(from: health, to: next, reason: reason)
        health = next
        return transition
    }

    private static func describe(_ outcome: PollOutcome) -> String {
        var parts: [String] = []
        let failed = outcome.refused + outcome.unanswered
        if failed > 0 {
            parts.append("\(failed) of \(outcome.transactions) reads failed")
        }
        if outcome.retries > 0 {
            parts.append(outcome.retries == 1 ? "1 retry" : "\(outcome.retries) retries")
        }
        if let failure = outcome.firstFailure {
            parts.append(failure)
        }
        return parts.joined(separator: "; ")
    }
}
