public import Logging
import DeviceAccess
import Foundation
import Modbus
public import StockpileDomain
public import StockpileStore
import Synchronization

/// Polls every device of one physical bus, and only that bus.
///
/// Requests on the bus go through at most `bus.concurrency` connections (one on an RTU line or a
/// single-connection gateway), each a lane with its own `ModbusClient` thread, so the bus's own
/// pauses and serialization hold whatever the rest of the site does; other buses have pollers of
/// their own and run in parallel. Lanes take poll groups from one `BusSchedule`, earliest due
/// first. A device that stops answering is `offline` after `offline_after` silent polls and is
/// then only probed, with a doubling back-off up to `quarantine_max`, so its timeouts take a
/// bounded share of the bus from its neighbours.
///
/// Each poll's readings go to the store's writer with the time the poll started. Logs carry the
/// bus, device and unit, one line per change of state (health, schedule), never one per poll.
public final class BusPoller: Sendable {
    public let bus: SiteConfiguration.Bus
    /// What the schedule asks of the bus, predicted before the first request.
    public let prediction: BusTiming.Prediction
    private let state: Mutex<BusState>
    private let writer: ReadingWriter
    private let logger: Logger
    private let deviceMetrics: [DeviceMetrics]
    private let busMetrics: BusMetrics
    private let laneCount: Int
    /// Where each batch's readings and each health change also go, for the alert rules.
    private let observations: LiveObservations?
    /// Coil writes waiting for the next batch of a lane: the beacon's, the one write the alerts may make.
    private let pendingWrites = Mutex<[CoilWrite]>([])

    private struct CoilWrite: Sendable {
        var device: SiteConfiguration.Device
        var address: Int
        var value: Bool
        var done: CheckedContinuation<String?, Never>
    }

    /// A poller for `devices`, all on `bus`, writing to `writer` (and to `observations`, when given).
    public init(
        bus: SiteConfiguration.Bus, devices: [SiteConfiguration.Device], writer: ReadingWriter,
        observations: LiveObservations? = nil, logger: Logger
    ) {
        self.bus = bus
        let polled = devices.map(PolledDevice.init)
        let timing = BusTiming(bus: bus)
        var demands: [(plan: [PlannedRead], interval: Duration)] = []
        for device in polled {
            for (group, reader) in zip(device.groups, device.readers) {
                if case .every(let interval) = group.cadence { demands.append((reader.plan, interval)) }
            }
        }
        prediction = timing.prediction(demands)
        state = Mutex(
            BusState(
                devices: polled, schedule: BusSchedule(groupsPerDevice: polled.map(\.groups.count), start: .now),
                monitor: ScheduleMonitor(prediction: prediction)))
        self.writer = writer
        var logger = logger
        logger[metadataKey: "bus"] = "\(bus.name)"
        self.logger = logger
        deviceMetrics = devices.map { DeviceMetrics(bus: bus.name, device: $0.name) }
        busMetrics = BusMetrics(bus: bus.name)
        laneCount = max(1, min(bus.concurrency, devices.count))
        self.observations = observations
    }

    /// The current health of each device, by name (nil before its first poll).
    public var health: [String: DeviceHealth?] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.devices.map { ($0.device.name, $0.tracker.health) })
        }
    }

    /// Polls finished since the poller started, and the transactions they planned.
    public var completed: (polls: Int, transactions: Int) {
        state.withLock { ($0.completedPolls, $0.transactions) }
    }

    /// Whether the bus is currently behind its schedule, and the slots it has skipped so far.
    public var scheduleState: (isBehind: Bool, skippedSlots: Int, actualRound: Duration) {
        state.withLock { ($0.monitor.isBehind, $0.monitor.skippedSlots, $0.monitor.actualRound) }
    }

    /// Sets coil `address` of `device` (one of this bus's) to `value`, between two batches of polls, and
    /// returns nil when the device confirmed it, or what went wrong. The caller (the alert service's beacon)
    /// is the only writer, and only for the device and coil the site file names.
    public func writeCoil(device name: String, address: Int, value: Bool) async -> String? {
        let device = state.withLock { state in state.devices.first { $0.device.name == name }?.device }
        guard let device else { return "\(name) is not on bus \(bus.name)" }
        return await withCheckedContinuation { continuation in
            pendingWrites.withLock {
                $0.append(CoilWrite(device: device, address: address, value: value, done: continuation))
            }
        }
    }

    /// Performs the waiting coil writes on `client`'s thread before a batch of reads.
    private func performWrites(on client: ModbusClient) async {
        let writes = pendingWrites.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        for write in writes {
            let outcome: String? = await client.withSession { client in
                client.setResponseTimeout(write.device.timeout)
                do {
                    try client.writeCoils(unit: write.device.unit, address: write.address, values: [write.value])
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            write.done.resume(returning: outcome)
        }
    }

    /// Writes still waiting when polling stops are answered, so no caller waits for ever.
    private func abandonWrites() {
        for write in pendingWrites.withLock({ pending in
            defer { pending.removeAll() }
            return pending
        }) {
            write.done.resume(returning: "the agent is shutting down")
        }
    }

    /// Polls until the task is cancelled. A poll in flight finishes (bounded by its timeout) and
    /// its readings reach the writer before this returns.
    public func run() async {
        busMetrics.recordPrediction(prediction.round)
        if !prediction.fits {
            logger.warning(
                "bus cannot keep its schedule: one round needs more bus time than its shortest interval",
                metadata: [
                    "predicted_round": "\(format(prediction.round))",
                    "interval": "\(format(prediction.shortestInterval))",
                    "load": "\(String(format: "%.2f", prediction.load))",
                ])
        }
        var clients: [ModbusClient] = []
        for _ in 0..<laneCount {
            do {
                clients.append(try ModbusClient(configuration: ModbusClientConfiguration(bus: bus), logger: logger))
            } catch {
                logger.error("cannot set up the bus; its devices are not polled", metadata: ["error": "\(error)"])
                abandonWrites()
                return
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for client in clients {
                group.addTask { await self.lane(client) }
            }
        }
        // Shutting down: close at once rather than wait out late-answer guards.
        for client in clients { await client.close() }
        abandonWrites()
    }

    /// The most due groups one lane reads in one hop to its connection's thread.
    static let batchLimit = 32

    private func lane(_ client: ModbusClient) async {
        // Two stages: while one batch's readings are decoded and handed to the writer, the next
        // batch is already on the wire. At most one batch waits, so memory stays bounded; the
        // stages are child tasks of this lane, so the lane ends only when both have.
        await withTaskGroup(of: Void.self) { stages in
            var processing = false
            while !Task.isCancelled {
                var claims = state.withLock { $0.schedule.claimDue(at: .now, limit: Self.batchLimit) }
                if claims.isEmpty {
                    guard let claim = state.withLock({ $0.schedule.claim() }) else {
                        // Every group is unscheduled or claimed by another lane.
                        do { try await Task.sleep(for: .milliseconds(50)) } catch { break }
                        continue
                    }
                    if claim.due > .now {
                        do {
                            try await Task.sleep(until: claim.due, clock: .continuous)
                        } catch {
                            state.withLock { $0.schedule.release(claim, nextDue: claim.due) }
                            break
                        }
                    }
                    claims = [claim]
                }
                await performWrites(on: client)
                let batch = await read(claims, on: client)
                if processing { await stages.next() }
                stages.addTask { await self.process(batch) }
                processing = true
            }
        }
    }

    /// What the poller needs to read one claimed group.
    private struct Job: Sendable {
        var claim: BusSchedule.Claim
        var device: SiteConfiguration.Device
        var reader: DeviceReader
        var cadence: PollSchedule.Cadence
        var options: ReadOptions
    }

    /// One batch, read and judged: what `process` turns into readings, events and reports.
    private struct Batch: Sendable {
        var jobs: [Job]
        var passes: [DeviceReader.Pass]
        var settled: [BusState.Settled]
        var actualRound: Duration
    }

    /// Reads the claimed groups in one hop to the lane's thread, then judges each poll and
    /// reschedules its group, so the next batch can be claimed at once.
    ///
    /// Cancellation (shutdown) interrupts the client: the request on the wire ends by its own
    /// timeout, and the batch's remaining groups are not read. A poll cut short is not judged or
    /// stored; its group is released as it was.
    private func read(_ claims: [BusSchedule.Claim], on client: ModbusClient) async -> Batch {
        let jobs = state.withLock { state in
            claims.map { claim in
                let polled = state.devices[claim.device]
                // A quarantined device gets one attempt per probe; every device stops at its first silent read.
                let quarantined = polled.tracker.health == .offline
                return Job(
                    claim: claim, device: polled.device, reader: polled.readers[claim.group],
                    cadence: polled.groups[claim.group].cadence,
                    options: ReadOptions(
                        timeout: polled.device.timeout, retries: quarantined ? 0 : polled.device.retries,
                        abandonWhenSilent: true, lateAnswerGuard: polled.device.lateAnswerGuard))
            }
        }
        let passes = await withTaskCancellationHandler {
            await client.withSession { client in
                var passes: [DeviceReader.Pass] = []
                for job in jobs {
                    if client.isInterrupted { break }
                    passes.append(job.reader.transact(on: client, options: job.options))
                }
                return passes
            }
        } onCancel: {
            client.interrupt()
        }
        let now = ContinuousClock.now
        return state.withLock { state in
            var done: [Job] = []
            var finished: [DeviceReader.Pass] = []
            var settled: [BusState.Settled] = []
            for (index, job) in jobs.enumerated() {
                guard index < passes.count, !passes[index].interrupted else {
                    state.schedule.release(job.claim, nextDue: job.claim.due)
                    continue
                }
                let pass = passes[index]
                done.append(job)
                finished.append(pass)
                settled.append(
                    state.settle(
                        job.claim, cadence: job.cadence,
                        outcome: PollOutcome(
                            transactions: job.reader.plan.count, failures: pass.failures, retries: pass.retries),
                        elapsed: pass.elapsed, quietUntil: pass.quietUntil, now: now))
            }
            return Batch(jobs: done, passes: finished, settled: settled, actualRound: state.monitor.actualRound)
        }
    }

    /// Decodes a batch, hands its readings and health events to the writer, and reports changes.
    private func process(_ batch: Batch) async {
        var readings: [Reading] = []
        for (job, (pass, settled)) in zip(batch.jobs, zip(batch.passes, batch.settled)) {
            var decoded = job.reader.decode(pass).readings
            for index in decoded.indices where decoded[index].quality == .offline {
                decoded[index].quality = .unanswered(health: settled.health)
            }
            readings += decoded.map { Reading(device: job.device.name, time: pass.started, reading: $0) }
            observations?.record(device: job.device.name, readings: decoded, at: pass.started)
            deviceMetrics[job.claim.device].recordValues(decoded)
        }
        await writer.append(readings)
        for (job, (pass, settled)) in zip(batch.jobs, zip(batch.passes, batch.settled)) {
            let metrics = deviceMetrics[job.claim.device]
            metrics.recordPoll(settled.outcome, took: pass.elapsed)
            metrics.recordRequests(pass.requests, errors: pass.requestErrors)
            metrics.recordDiscarded(pass.discardedAnswers)
            busMetrics.recordPoll(took: pass.elapsed)
            if settled.periodic { busMetrics.recordRound(actual: batch.actualRound, skipped: settled.skipped) }
            if let transition = settled.transition {
                await report(transition, device: job.device, at: pass.started, metrics: metrics)
            }
            if let change = settled.scheduleChange { report(change) }
        }
    }

    private func report(
        _ transition: DeviceHealthTracker.Transition, device: SiteConfiguration.Device, at time: Date,
        metrics: DeviceMetrics
    ) async {
        await writer.record(
            DeviceHealthEvent(
                device: device.name, time: time, from: transition.from, to: transition.to, reason: transition.reason))
        metrics.recordHealth(transition.to)
        observations?.record(device: device.name, health: transition.to, at: time)
        let metadata: Logger.Metadata = [
            "device": "\(device.name)", "unit": "\(device.unit)",
            "from": "\(transition.from?.rawValue ?? "unknown")", "to": "\(transition.to.rawValue)",
            "reason": "\(transition.reason)",
        ]
        switch transition.to {
        case .online: logger.info("device online", metadata: metadata)
        case .degraded: logger.warning("device degraded", metadata: metadata)
        case .offline: logger.error("device offline; quarantined", metadata: metadata)
        }
    }

    private func report(_ change: ScheduleMonitor.Change) {
        switch change {
        case .fellBehind(let actual):
            busMetrics.recordBehind(true)
            logger.warning(
                "bus cannot keep its schedule; polls are skipped",
                metadata: [
                    "predicted_round": "\(format(prediction.round))", "actual_round": "\(format(actual))",
                    "interval": "\(format(prediction.shortestInterval))",
                ])
        case .caughtUp(let actual):
            busMetrics.recordBehind(false)
            logger.notice(
                "bus keeps its schedule again",
                metadata: ["predicted_round": "\(format(prediction.round))", "actual_round": "\(format(actual))"])
        }
    }

    private func format(_ duration: Duration) -> String {
        String(format: "%.3fs", duration.seconds)
    }
}
