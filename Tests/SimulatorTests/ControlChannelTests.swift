import Foundation
import FoundationNetworking
import Logging
import Simulator
import SimulatorCore
import Synchronization
import Testing

/// The control application on an ephemeral loopback port, for one test.
struct LiveControl {
    let port: Int

    /// Runs `body` against the control channel of `service`, served by its real HTTP server.
    static func run(_ service: SimulatorService, _ body: (LiveControl) async throws -> Void) async throws {
        let bound = AsyncStream<Int>.makeStream()
        let app = ControlChannel.application(
            service: service, host: "127.0.0.1", port: 0, logger: Logger(label: "test")
        ) { port in bound.continuation.yield(port) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var ports = bound.stream.makeAsyncIterator()
            guard let port = await ports.next() else { throw CancellationError() }
            try await body(LiveControl(port: port))
            group.cancelAll()
        }
    }

    func request(_ method: String, _ path: String, _ body: String? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func object(_ method: String, _ path: String, _ body: String? = nil) async throws -> [String: Any] {
        let (_, data) = try await request(method, path, body)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

@Suite("The control channel, over a live HTTP server")
struct ControlChannelTests {
    @Test("lists devices, triggers events, adds and clears faults, pins values, and counts requests")
    func roundTrip() async throws {
        let (service, endpoints) = try SimulatorFixtures.start()
        defer { service.stop() }
        try await LiveControl.run(service) { control in
            let (status, data) = try await control.request("GET", "/devices")
            #expect(status == 200)
            let devices = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
            #expect(devices.map { $0["name"] as? String } == ["scale", "climate", "vaisala", "doors"])

            let removed = try await control.object(
                "POST", "/devices/scale/events", #"{"event": "remove_load", "kg": 25}"#)
            #expect(
                (removed["values"] as? [String: Any])?["stable"] as? Bool == false, "a removal puts the scale in motion"
            )
            let slow = try await control.object(
                "POST", "/devices/scale/faults", #"{"fault": "slow", "delay": "300ms"}"#)
            #expect(slow["faults"] as? [String] == ["slow"])
            let cleared = try await control.object("DELETE", "/devices/scale/faults")
            #expect(cleared["faults"] as? [String] == [])
            let pinned = try await control.object(
                "POST", "/devices/climate/values", #"{"point": "humidity", "value": 71.5}"#)
            #expect((pinned["values"] as? [String: Any])?["humidity"] as? Double == 71.5)

            let (badStatus, badBody) = try await control.request(
                "POST", "/devices/scale/faults", #"{"fault": "gremlins"}"#)
            #expect(badStatus == 400)
            #expect(String(decoding: badBody, as: UTF8.self).contains("unknown fault"))
            let (missing, _) = try await control.request("GET", "/devices/nobody")
            #expect(missing == 404)

            // The pinned humidity reaches the wire through the profile's ×0.1 scaling.
            let words = try await SimulatorFixtures.rtuClient(endpoints["line1"]!).readInputRegisters(
                unit: 2, address: 2, count: 1)
            #expect(words == [715])
            let counters = try await control.object("GET", "/devices/climate/counters")
            #expect((counters["requests_by_function"] as? [String: Int])?["4"] == 1)
            #expect((counters["writes"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("a body with a field the scenario would not take is refused, naming the field")
    func unknownFieldsAreRefused() async throws {
        let (service, _) = try SimulatorFixtures.start()
        defer { service.stop() }
        try await LiveControl.run(service) { control in
            for (path, body, field) in [
                ("/devices/scale/events", #"{"event": "add_load", "kg": 25, "kgs": 3}"#, "kgs"),
                ("/devices/scale/faults", #"{"fault": "slow", "delay": "300ms", "dealy": "1s"}"#, "dealy"),
                ("/devices/climate/values", #"{"point": "humidity", "value": 50, "unit": "%RH"}"#, "unit"),
            ] {
                let (status, data) = try await control.request("POST", path, body)
                #expect(status == 400, "\(path)")
                let text = String(decoding: data, as: UTF8.self)
                #expect(text.contains(field) && text.contains("unknown field"), "\(path): \(text)")
            }
            let untouched = try await control.object("GET", "/devices/scale")
            #expect(untouched["faults"] as? [String] == [], "nothing was applied")
        }
    }

    @Test("pinning temperature to null voids dew point; pinning a number recomputes it")
    func pinnedTemperatureCarriesIntoDewPoint() async throws {
        let (service, _) = try SimulatorFixtures.start()
        defer { service.stop() }
        try await LiveControl.run(service) { control in
            let before = try await control.object("GET", "/devices/vaisala")
            #expect((before["values"] as? [String: Any])?["dew_point"] is Double, "the model gives a dew point")
            let voided = try await control.object(
                "POST", "/devices/vaisala/values", #"{"point": "temperature", "value": null}"#)
            let values = try #require(voided["values"] as? [String: Any])
            #expect(values["dew_point"] is NSNull, "\(values)")
            _ = try await control.object("POST", "/devices/vaisala/values", #"{"point": "humidity", "value": 50}"#)
            let pinned = try await control.object(
                "POST", "/devices/vaisala/values", #"{"point": "temperature", "value": 20}"#)
            let dewPoint = try #require((pinned["values"] as? [String: Any])?["dew_point"] as? Double)
            // Magnus (Alduchov and Eskridge 1996): 20 °C at 50 %RH is 9.26 °C.
            #expect(abs(dewPoint - 9.26) < 0.01, "\(dewPoint)")
        }
    }
}
