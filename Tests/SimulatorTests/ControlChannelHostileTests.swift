import Foundation
import Simulator
import Testing

/// Control-channel bodies refuse what scenarios refuse, naming the field; no answer fails to encode
/// (issue 8 §3: two add_load of 1e308 kg used to make every GET /devices answer `{}`).
@Suite("The control channel refuses hostile numbers")
struct ControlChannelHostileTests {
    @Test("add_load 1e308, a NaN pin and an .inf mass are 400s naming the field; GET /devices stays whole")
    func hostileBodies() async throws {
        let (service, _) = try SimulatorFixtures.start()
        defer { service.stop() }
        try await LiveControl.run(service) { control in
            for body in [#"{"event": "add_load", "kg": 1e308}"#, #"{"event": "add_load", "kg": .inf}"#] {
                for _ in 0..<2 {
                    let (status, answer) = try await control.request("POST", "/devices/scale/events", body)
                    #expect(status == 400, "\(body)")
                    #expect(String(decoding: answer, as: UTF8.self).contains("kg: "), "\(body)")
                }
            }
            let (pinStatus, pinAnswer) = try await control.request(
                "POST", "/devices/climate/values", #"{"point": "humidity", "value": .nan}"#)
            #expect(pinStatus == 400)
            #expect(String(decoding: pinAnswer, as: UTF8.self).contains("value: "))
            let (status, data) = try await control.request("GET", "/devices")
            #expect(status == 200)
            let devices = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
            #expect(devices.count == 4)
            let scale = try #require(devices.first { $0["name"] as? String == "scale" })
            let gross = (scale["values"] as? [String: Any])?["gross"] as? Double
            #expect(gross.map { $0.isFinite && $0 < 1e9 } == true, "\(scale)")
        }
    }
}
