import Modbus
/// An answer built and decided, waiting for its time on the wire.
struct PendingAnswer {
    /// The order it keeps: a TCP connection's number, or an RTU unit id.
    var lane: Int
    var due: ContinuousClock.Instant
    /// What goes on the wire, faults done; empty for silence.
    var bytes: [UInt8]
    /// How many of `bytes` earlier, partial writes sent.
    var written = 0
    /// A `.dropConnection` on TCP: the connection closes when this answer's turn comes.
    var closesConnection = false
    var request: ModbusRequest
    /// The request as received, for the trace.
    var requestBytes: [UInt8]
    /// The decision as carried out.
    var decision: ModbusServerDecision

    /// The bytes still to write.
    var unwritten: ArraySlice<UInt8> { bytes[written...] }
}

/// The answers of one loop that are not on the wire yet, each with the time it is due.
///
/// Every answer goes through here, delayed or not, so that order holds: within a lane, answers
/// leave in the order their requests came, each no earlier than its due time; lanes do not wait
/// for one another. A loop writes the ready answers, then polls until the next one is due, so a
/// delayed answer costs the loop nothing while it waits. Usually empty, so the linear scans stay
/// cheap.
struct AnswerQueue {
    /// In the order the requests came.
    private var answers: [PendingAnswer] = []

    var isEmpty: Bool { answers.isEmpty }

    subscript(index: Int) -> PendingAnswer {
        get { answers[index] }
        set { answers[index] = newValue }
    }

    mutating func append(_ answer: PendingAnswer) {
        answers.append(answer)
    }

    /// How many answers wait in `lane`.
    func count(inLane lane: Int) -> Int {
        answers.count(where: { $0.lane == lane })
    }

    /// The answer to write next at `now`, passing over the lanes `isBlocked` names (a socket
    /// whose buffer is full): one partly written goes first, so that two answers never mix on one
    /// descriptor; else the oldest one that is due and first in its lane.
    func nextReady(at now: ContinuousClock.Instant, skipping isBlocked: (Int) -> Bool) -> Int? {
        if let partial = answers.firstIndex(where: { $0.written > 0 && !isBlocked($0.lane) }) {
            return partial
        }
        var passed: [Int] = []
        for (index, answer) in answers.enumerated() where !passed.contains(answer.lane) {
            if answer.due <= now, !isBlocked(answer.lane) { return index }
            passed.append(answer.lane)
        }
        return nil
    }

    /// Milliseconds poll may wait before the next answer falls due (rounded up, so it never
    /// wakes early and spins); -1 when none waits outside a blocked lane.
    func pollTimeout(at now: ContinuousClock.Instant, skipping isBlocked: (Int) -> Bool) -> Int32 {
        var passed: [Int] = []
        var earliest: ContinuousClock.Instant?
        for answer in answers where !passed.contains(answer.lane) {
            passed.append(answer.lane)
            guard !isBlocked(answer.lane) else { continue }
            earliest = min(earliest ?? answer.due, answer.due)
        }
        guard let earliest else { return -1 }
        return Self.milliseconds(until: earliest, from: now)
    }

    /// Takes out the answer at `index`.
    mutating func remove(at index: Int) -> PendingAnswer {
        answers.remove(at: index)
    }

    /// Takes out every answer of `lane`, in order.
    mutating func removeAll(inLane lane: Int) -> [PendingAnswer] {
        let removed = answers.filter { $0.lane == lane }
        answers.removeAll { $0.lane == lane }
        return removed
    }

    /// Whole milliseconds from `now` until `instant`, rounded up; 0 when it has passed.
    static func milliseconds(until instant: ContinuousClock.Instant, from now: ContinuousClock.Instant) -> Int32 {
        let remaining = instant - now
        guard remaining > .zero else { return 0 }
        return Int32(clamping: (remaining.microseconds + 999) / 1000)
    }
}
