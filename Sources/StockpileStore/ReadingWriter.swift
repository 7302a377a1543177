public import Logging

/// Buffers readings and health events in memory and writes them in batches: ONE write transaction per
/// ``flush()``, never one per reading.
///
/// The agent's pollers ``append(_:)`` as they read; ``run(flushInterval:)`` flushes on a fixed interval (the
/// most a crash can lose) and drains the buffer when its task is cancelled. Once `flush()` has returned, every
/// reading appended before the call is committed (`synchronous = FULL`: across a killed process or a power cut).
/// A flush that fails puts its batch back at the front of the buffer for the next one.
public actor ReadingWriter {
    private let database: AppDatabase
    private let logger: Logger
    /// The most readings held in memory while the store cannot be written (a full disk): past it, the oldest
    /// are dropped and counted in ``droppedReadingCount``.
    public let bufferLimit: Int

    private var pendingReadings: [Reading] = []
    private var pendingEvents: [DeviceHealthEvent] = []
    private var isFlushing = false
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []
    private var isFailing = false

    /// Readings committed by this writer so far.
    public private(set) var flushedReadingCount = 0
    /// Readings dropped because the buffer reached ``bufferLimit`` while the store could not be written.
    public private(set) var droppedReadingCount = 0

    /// A writer into `database`; `logger` gets one line per change of state (failing, recovered), not per batch.
    public init(database: AppDatabase, bufferLimit: Int = 1_000_000, logger: Logger) {
        self.database = database
        self.bufferLimit = max(bufferLimit, 1)
        self.logger = logger
    }

    /// Readings and health events waiting for the next flush.
    public var pendingCount: Int { pendingReadings.count + pendingEvents.count }

    /// Buffers `readings` for the next flush.
    public func append(_ readings: [Reading]) {
        pendingReadings.append(contentsOf: readings)
        enforceBufferLimit()
    }

    /// Buffers one reading for the next flush.
    public func append(_ reading: Reading) {
        pendingReadings.append(reading)
        enforceBufferLimit()
    }

    /// Buffers a health transition; it is written in the same transaction as the readings buffered with it.
    public func record(_ event: DeviceHealthEvent) {
        pendingEvents.append(event)
    }

    /// Writes everything buffered so far in one transaction and returns how many readings it wrote.
    ///
    /// Flushes never overlap: a call made while another is writing waits for it, then writes what is left,
    /// so when it returns everything appended before it was called is committed.
    @discardableResult
    public func flush() async throws -> Int {
        while isFlushing {
            await withCheckedContinuation { flushWaiters.append($0) }
        }
        isFlushing = true
        defer {
            isFlushing = false
            let waiters = flushWaiters
            flushWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }

        let readings = pendingReadings
        let events = pendingEvents
        if readings.isEmpty, events.isEmpty { return 0 }
        pendingReadings.removeAll(keepingCapacity: true)
        pendingEvents.removeAll()
        do {
            try await database.write(batch: readings, healthEvents: events)
        } catch {
            // Back at the front, in order, ahead of what was appended meanwhile.
            pendingReadings = readings + pendingReadings
            pendingEvents = events + pendingEvents
            enforceBufferLimit()
            if !isFailing {
                isFailing = true
                logger.error(
                    "store write failed; readings stay buffered",
                    metadata: ["error": "\(error)", "pending": "\(pendingReadings.count)"])
            }
            throw error
        }
        flushedReadingCount += readings.count
        if isFailing {
            isFailing = false
            logger.notice("store writes again", metadata: ["written": "\(readings.count)"])
        }
        return readings.count
    }

    /// Flushes every `flushInterval` until the task is cancelled, then flushes what is left and returns.
    ///
    /// A failed periodic flush keeps its readings for the next one (logged once per failure spell). The final
    /// flush runs even though the task is cancelled, and throws if the store cannot take it. `flushed` hears of
    /// every flush that succeeded: the readings it wrote and how long it took (the agent's metrics).
    public func run(
        flushInterval: Duration = .seconds(1), flushed: (@Sendable (Int, Duration) -> Void)? = nil
    ) async throws {
        let clock = ContinuousClock()
        func timedFlush() async throws {
            let start = clock.now
            let written = try await flush()
            flushed?(written, clock.now - start)
        }
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: flushInterval)
            } catch {
                break
            }
            try? await timedFlush()
        }
        try await timedFlush()
    }

    private func enforceBufferLimit() {
        let excess = pendingReadings.count - bufferLimit
        guard excess > 0 else { return }
        if droppedReadingCount == 0 {
            logger.error(
                "reading buffer full; dropping the oldest readings", metadata: ["limit": "\(bufferLimit)"])
        }
        pendingReadings.removeFirst(excess)
        droppedReadingCount += excess
    }
}
