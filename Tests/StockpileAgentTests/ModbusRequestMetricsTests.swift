import Foundation
import Metrics
import MetricsTestKit
import Modbus
import Prometheus
import SimulatorCore
@testable import StockpileAgent
import StockpileStore
import StockpileTestSupport
import Testing

/// The agent's request, error, bus-latency and store metrics, against the simulator in this process.
///
/// Every bus and device name here is this suite's own: the test process has one metrics backend,
/// shared with the suites running beside it.
@Suite(.serialized) struct ModbusRequestMetricsTests {
    @Test(
        "each ModbusError cause has the kind label a technician reads",
        arguments: [
            (ModbusError.Cause.timeout, "timeout"),
            (.exception(.illegalDataAddress), "exception_2"),
            (.exception(.gatewayTargetFailedToRespond), "exception_11"),
            (.exception(ModbusException(rawValue: 200)), "exception_200"),
            (.badCRC, "crc"),
            (.connectionRefused, "connection"), (.connectionReset, "connection"), (.connectionClosed, "connection"),
            (.hostUnreachable, "connection"), (.cannotOpen, "connection"), (.lineInUse, "connection"),
            (.invalidResponse, "other"), (.mismatchedResponse, "other"), (.invalidRequest, "other"),
            (.system, "other"),
        ])
    func errorKind(cause: ModbusError.Cause, label: String) {
        let error = ModbusError(cause: cause, function: .readHoldingRegisters, unit: 1, message: "")
        #expect(ModbusErrorKind(error)?.label == label)
    }

    @Test func anInterruptedRequestHasNoKind() {
        let error = ModbusError(cause: .interrupted, function: .readHoldingRegisters, message: "not sent")
        #expect(ModbusErrorKind(error) == nil)
    }

    /// The `le` bounds of `name`'s histogram in the text a scrape gets, as numbers (without +Inf).
    static func bucketBounds(_ name: String, in text: String) -> [Double] {
        text.split(separator: "\n").filter { $0.hasPrefix("\(name)_bucket{") }.compactMap { line in
            guard let start = line.range(of: #"le=""#)?.upperBound else { return nil }
            return Double(line[start...].prefix { $0 != "\"" })
        }.filter(\.isFinite)
    }

    @Test func histogramsHaveBucketsSuitedToWhatTheyTime() throws {
        let factory = DescribedMetricsFactory()
        factory.makeTimer(label: "stockpile_bus_poll_seconds", dimensions: [("bus", "b")]).recordNanoseconds(3_000_000)
        factory.makeTimer(label: "stockpile_store_batch_seconds", dimensions: []).recordNanoseconds(20_000_000)
        factory.makeTimer(label: "stockpile_poll_seconds", dimensions: [("bus", "b"), ("device", "d")])
            .recordNanoseconds(1_000_000)
        let text = factory.registry.emitToString()
        let bus = Self.bucketBounds("stockpile_bus_poll_seconds", in: text)
        #expect(bus.first == 0.001 && bus.last == 5, "\(bus)")
        #expect(bus == bus.sorted() && bus.count == 12)
        // 3 ms: above the 1 and 2.5 ms buckets, in the 5 ms one and all above.
        #expect(text.contains(#"stockpile_bus_poll_seconds_bucket{bus="b",le="0.0025"} 0"#), "\(text)")
        #expect(text.contains(#"stockpile_bus_poll_seconds_bucket{bus="b",le="0.005"} 1"#), "\(text)")
        let store = Self.bucketBounds("stockpile_store_batch_seconds", in: text)
        #expect(store.first == 0.001 && store.last == 10, "\(store)")
        // The existing per-device poll histogram keeps the default buckets: its series are not changed.
        let device = Self.bucketBounds("stockpile_poll_seconds", in: text)
        #expect(device.first == 0.005 && device != bus, "\(device)")
        for name in [
            "stockpile_bus_poll_seconds", "stockpile_modbus_requests_total", "stockpile_modbus_errors_total",
            "stockpile_readings_written_total", "stockpile_store_batch_seconds",
            "stockpile_notification_failures_total",
        ] {
            #expect(DescribedMetricsFactory.help[name]?.isEmpty == false, "\(name) has no help text")
        }
        #expect(text.contains("# HELP stockpile_bus_poll_seconds Time of each poll"))
    }

    static let scenario = """
        name: request-metrics
        seed: 7
        step: 50ms
        tcp:
          - {name: main, port: 0}
        rtu:
          - {name: line1}
        devices:
          - name: scale
            profile: scales/laumas-tlu.yaml
            transport: main
            unit: 1
            model: scale
            parameters: {load: 1200, noise_divisions: 0}
          - name: climate
            profile: sensors/xy-md02.yaml
            transport: line1
            unit: 2
            model: environment
            parameters: {temperature: 18, temperature_amplitude: 0, temperature_noise: 0, humidity: 40, humidity_amplitude: 0, humidity_noise: 0}
        """

    /// Two devices the simulator serves and two it does not: unit 7 behind the TCP "gateway" (which
    /// answers exception 11 for it) and unit 5 on the serial line (silent: timeouts).
    static let site = """
        site: {id: request-metrics, name: Request metrics}
        data_directory: unused
        store: {flush_interval: 200ms}
        defaults: {poll: 200ms, timeout: 200ms, retries: 0, offline_after: 2, quarantine_max: 1s, late_answer_guard: 200ms}
        tcp:
          - {name: rm-main, host: 127.0.0.1, port: $TCP}
        rtu:
          - {name: rm-line, device: $PTY, baud: 9600, parity: E}
        devices:
          - name: rm-scale
            profile: scales/laumas-tlu.yaml
            bus: rm-main
            unit: 1
            location: {name: bay-1, capacity: 5000, division: 1, class: III}
          - name: rm-gateway-ghost
            profile: scales/laumas-tlu.yaml
            bus: rm-main
            unit: 7
            location: {name: bay-2, capacity: 5000, division: 1, class: III}
          - name: rm-climate
            profile: sensors/xy-md02.yaml
            bus: rm-line
            unit: 2
            zone: bay
          - name: rm-line-ghost
            profile: sensors/xy-md02.yaml
            bus: rm-line
            unit: 5
            zone: bay
        """

    static func requests(_ bus: String, _ device: String) -> Int64 {
        testMetrics.counterTotal(
            label: "stockpile_modbus_requests_total", dimensions: [("bus", bus), ("device", device)])
    }

    static func errors(_ bus: String, _ device: String, _ kind: String) -> Int64 {
        testMetrics.counterTotal(
            label: "stockpile_modbus_errors_total", dimensions: [("bus", bus), ("device", device), ("kind", kind)])
    }

    /// Every error of `device`, whatever its kind (counts match on the dimensions given).
    static func allErrors(_ device: String) -> Int64 {
        testMetrics.counterTotal(label: "stockpile_modbus_errors_total", dimensions: [("device", device)])
    }

    /// Every error counter, for a failure's message.
    static func errorCounts() -> [String] {
        testMetrics.counters(label: "stockpile_modbus_errors_total").map { "\($0.dimensions) \($0.totalValue)" }
    }

    /// Polls of `device`, whatever their outcome.
    static func polls(_ bus: String, _ device: String) -> Int64 {
        testMetrics.counterTotal(label: "stockpile_polls_total", dimensions: [("bus", bus), ("device", device)])
    }

    @Test func requestsAndErrorsAreCountedPerDeviceByKind() async throws {
        let writtenBefore = testMetrics.counterTotal(label: "stockpile_readings_written_total")
        let writer = try await AgentFixtures.run(scenario: Self.scenario, site: Self.site) { warehouse in
            let seen = await AgentFixtures.eventually {
                Self.requests("rm-main", "rm-scale") > 0 && Self.requests("rm-line", "rm-climate") > 0
                    && Self.errors("rm-main", "rm-gateway-ghost", "exception_11") > 0
                    && Self.errors("rm-line", "rm-line-ghost", "timeout") > 0
            }
            #expect(seen, "requests counted, and each ghost's errors by its kind")
            // A refusal, then a garbled answer on the line, then a dropped connection.
            warehouse.trigger(.fault(Fault(kind: .exception(code: 2, probability: 1), duration: 1)), on: "scale")
            let refused = await AgentFixtures.eventually { Self.errors("rm-main", "rm-scale", "exception_2") > 0 }
            #expect(refused)
            warehouse.trigger(.fault(Fault(kind: .badCRC, duration: 1)), on: "climate")
            let garbled = await AgentFixtures.eventually { Self.errors("rm-line", "rm-climate", "crc") > 0 }
            #expect(garbled)
            // The refusal may still be in force (simulated time): it would answer first and use up the drops.
            warehouse.trigger(.clearFaults, on: "scale")
            warehouse.trigger(.fault(Fault(kind: .dropConnection, requests: 4)), on: "scale")
            let dropped = await AgentFixtures.eventually { Self.errors("rm-main", "rm-scale", "connection") > 0 }
            #expect(dropped, "\(Self.errorCounts())")
            return warehouse.agent.writer
        }
        // The agent has stopped: every count is final.
        // Devices that answer had no timeouts; the ghosts had no other kinds than their own.
        #expect(Self.errors("rm-main", "rm-scale", "timeout") == 0)
        #expect(Self.allErrors("rm-gateway-ghost") == Self.errors("rm-main", "rm-gateway-ghost", "exception_11"))
        #expect(Self.allErrors("rm-line-ghost") == Self.errors("rm-line", "rm-line-ghost", "timeout"))
        for (bus, device) in [
            ("rm-main", "rm-scale"), ("rm-main", "rm-gateway-ghost"), ("rm-line", "rm-climate"),
            ("rm-line", "rm-line-ghost"),
        ] {
            // Every poll sends at least one request; no request fails twice.
            #expect(Self.requests(bus, device) >= Self.polls(bus, device), "\(device)")
            #expect(Self.allErrors(device) <= Self.requests(bus, device), "\(device)")
        }
        // The ghosts never answer: each of their requests failed (retries 0, a silent read abandons the rest).
        #expect(Self.allErrors("rm-line-ghost") == Self.requests("rm-line", "rm-line-ghost"))
        // One sample of the bus's histogram per poll of any of its devices.
        for (bus, devices) in [
            ("rm-main", ["rm-scale", "rm-gateway-ghost"]), ("rm-line", ["rm-climate", "rm-line-ghost"]),
        ] {
            let timer = try testMetrics.expectTimer("stockpile_bus_poll_seconds", [("bus", bus)])
            #expect(Int64(timer.values.count) == devices.map { Self.polls(bus, $0) }.reduce(0, +), "\(bus)")
            #expect(timer.values.allSatisfy { $0 > 0 })
        }
        // The line's timeouts are in its histogram: at least one poll took the 200 ms timeout.
        let line = try testMetrics.expectTimer("stockpile_bus_poll_seconds", [("bus", "rm-line")])
        #expect(line.values.contains { $0 >= 200_000_000 })
        // Everything this agent committed went through the measured flushes (other suites' agents may add).
        let committed = await writer.flushedReadingCount
        #expect(committed > 0)
        let written = testMetrics.counterTotal(label: "stockpile_readings_written_total") - writtenBefore
        #expect(written >= Int64(committed), "\(written) counted, \(committed) committed")
        let batches = try testMetrics.expectTimer("stockpile_store_batch_seconds")
        #expect(!batches.values.isEmpty && batches.values.allSatisfy { $0 > 0 })
    }
}
