import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Simulator
import SimulatorCore
import Testing

@Suite("The control channel, over a live HTTP server")
struct ControlChannelTests {
    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    @Test("lists devices, triggers events, adds and clears faults, pins values, and counts requests")
    func roundTrip() async throws {
        let (service, endpoints) = try SimulatorFixtures.start()
        defer { service.stop() }
        let app = Application(router: ControlChannel.router(service: service))
        try await app.test(.live) { client in
            try await client.execute(uri: "/devices", method: .get) { response in
                #expect(response.status == .ok)
                let devices = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
                #expect(devices.map { $0["name"] as? String } == ["scale", "climate", "vaisala", "doors"])
            }
            try await client.execute(uri: "/devices/scale/events", method: .post, body: ByteBuffer(string: #"{"event": "remove_load", "kg": 25}"#)) { response in
                #expect(response.status == .ok)
                let values = try json(response.body)["values"] as? [String: Any]
                #expect(values?["stable"] as? Bool == false, "a removal puts the scale in motion")
            }
            try await client.execute(uri: "/devices/scale/faults", method: .post, body: ByteBuffer(string: #"{"fault": "slow", "delay": "300ms"}"#)) { response in
                let faults = try json(response.body)["faults"] as? [String]
                #expect(faults == ["slow"])
            }
            try await client.execute(uri: "/devices/scale/faults", method: .delete) { response in
                let faults = try json(response.body)["faults"] as? [String]
                #expect(faults == [])
            }
            try await client.execute(uri: "/devices/climate/values", method: .post, body: ByteBuffer(string: #"{"point": "humidity", "value": 71.5}"#)) { response in
                let values = try json(response.body)["values"] as? [String: Any]
                #expect(values?["humidity"] as? Double == 71.5)
            }
            try await client.execute(uri: "/devices/scale/faults", method: .post, body: ByteBuffer(string: #"{"fault": "gremlins"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("unknown fault"))
            }
            try await client.execute(uri: "/devices/nobody", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
        // The pinned humidity reaches the wire through the profile's ×0.1 scaling.
        let words = try await SimulatorFixtures.rtuClient(endpoints["line1"]!).readInputRegisters(unit: 2, address: 2, count: 1)
        #expect(words == [715])
        try await app.test(.live) { client in
            try await client.execute(uri: "/devices/climate/counters", method: .get) { response in
                let counters = try json(response.body)
                #expect((counters["requests_by_function"] as? [String: Int])?["4"] == 1)
                #expect((counters["writes"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
