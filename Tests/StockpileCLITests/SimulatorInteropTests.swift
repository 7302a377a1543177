import Foundation
import Testing

/// Three Laumas scales and two climate sensors, every one on TCP and on one RTU line, with no
/// noise, so that what a peer reads and what the control channel says can be compared exactly.
private let interopScenario = """
    name: interop
    seed: 11
    step: 100ms
    tcp:
      - {name: main, port: 0}
    rtu:
      - {name: line1, link: $DIR/rtu, baud: 9600, parity: E}
    devices:
      - {name: scale-a, profile: scales/laumas-tlu.yaml, transport: [main, line1], unit: 1, model: scale,
         parameters: {capacity: 5000, division: 1, noise_divisions: 0, load: 1234}}
      - {name: scale-b, profile: scales/laumas-tlu.yaml, transport: [main, line1], unit: 2, model: scale,
         parameters: {capacity: 5000, division: 1, noise_divisions: 0, load: 2750}}
      - {name: scale-c, profile: scales/laumas-tlu.yaml, transport: [main, line1], unit: 5, model: scale,
         parameters: {capacity: 5000, division: 1, noise_divisions: 0, load: 318}}
      - {name: climate, profile: sensors/vaisala-hmp.yaml, transport: [main, line1], unit: 3, model: environment,
         parameters: {humidity: 47.3, humidity_amplitude: 0, humidity_noise: 0,
                      temperature: 21.7, temperature_amplitude: 0, temperature_noise: 0}}
      - {name: room, profile: sensors/xy-md02.yaml, transport: [main, line1], unit: 4, model: environment,
         parameters: {humidity: 52.4, humidity_amplitude: 0, humidity_noise: 0,
                      temperature: 18.6, temperature_amplitude: 0, temperature_noise: 0}}
    """

/// What mbpoll printed for `slave` at `reference`, as a number.
private func number(_ values: [Int: [Int: String]], _ slave: Int, _ reference: Int) -> Double? {
    values[slave]?[reference].flatMap(Double.init)
}

@Suite("the simulator, read by independent Modbus masters")
struct SimulatorInteropTests {
    @Test("mbpoll over TCP reads the Laumas gross at wire 7–8 and the Vaisala CDAB floats the control channel shows")
    func mbpollTCP() async throws {
        try await SimulatorProcess.run(scenario: interopScenario) { simulator in
            let scale = try await simulator.device("scale-a")
            let climate = try await simulator.device("climate")
            let room = try await simulator.device("room")
            let gross = try #require(scale.values["gross"])
            #expect(gross == 1234)
            let host = ["-p", "\(simulator.port)", "127.0.0.1"]

            // The gross weight's two halves, PDU (0-based) addressing: wire 7 high, wire 8 low.
            let words = try await IndependentPeers.mbpoll(["-0", "-a", "1", "-r", "7", "-c", "2"] + host)
            #expect(words.status == 0, "\(words.standardError)")
            let wordValues = IndependentPeers.mbpollValues(words.standardOutput)
            #expect(number(wordValues, 1, 7) == (gross / 65536).rounded(.down))
            #expect(number(wordValues, 1, 8) == gross.truncatingRemainder(dividingBy: 65536))

            // mbpoll's default 1-based reference 8 is the manual's 40008, the same wire register 7.
            let manual = try await IndependentPeers.mbpoll(["-a", "1", "-r", "8", "-c", "2"] + host)
            let manualValues = IndependentPeers.mbpollValues(manual.standardOutput)
            #expect(manualValues[1] == [8: "0", 9: "1234"])

            // As one 32-bit integer, high word first (-B).
            let int32 = try await IndependentPeers.mbpoll(["-0", "-a", "1", "-r", "7", "-t", "4:int", "-B"] + host)
            #expect(int32.standardOutput.contains("32-bit integer (big endian)"))
            #expect(number(IndependentPeers.mbpollValues(int32.standardOutput), 1, 7) == gross)

            // Vaisala floats, low word first: mbpoll's default word order for 4:float (without -B).
            let floats = try await IndependentPeers.mbpoll(
                ["-0", "-a", "3", "-r", "0", "-c", "2", "-t", "4:float"] + host)
            #expect(floats.status == 0, "\(floats.standardError)")
            #expect(floats.standardOutput.contains("32-bit float (little endian)"))
            let floatValues = IndependentPeers.mbpollValues(floats.standardOutput)
            let humidity = try #require(climate.values["humidity"])
            let temperature = try #require(climate.values["temperature"])
            // mbpoll prints six significant digits; the register holds a binary32.
            #expect(abs(try #require(number(floatValues, 3, 0)) - humidity) < 1e-4)
            #expect(abs(try #require(number(floatValues, 3, 2)) - temperature) < 1e-4)
            // Read high word first instead, the same registers make another number: the order matters.
            let swapped = try await IndependentPeers.mbpoll(["-0", "-a", "3", "-r", "0", "-t", "4:float", "-B"] + host)
            let wrongOrder = number(IndependentPeers.mbpollValues(swapped.standardOutput), 3, 0)
            #expect(wrongOrder != nil && abs(wrongOrder! - humidity) > 1)

            // XY-MD02 input registers 1 and 2 hold °C and %RH × 10.
            let input = try await IndependentPeers.mbpoll(["-0", "-a", "4", "-t", "3", "-r", "1", "-c", "2"] + host)
            let inputValues = IndependentPeers.mbpollValues(input.standardOutput)
            #expect(number(inputValues, 4, 1) == (try #require(room.values["temperature"]) * 10).rounded())
            #expect(number(inputValues, 4, 2) == (try #require(room.values["humidity"]) * 10).rounded())
        }
    }

    @Test("mbpoll on the RTU pty reads three unit ids on one line, each with its own weight")
    func mbpollRTU() async throws {
        try await SimulatorProcess.run(scenario: interopScenario) { simulator in
            let link = try #require(simulator.link)
            let pty = try #require(simulator.pty)
            #expect(pty.hasPrefix("/dev/pts/"))
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == pty)
            var expected: [Int: Double] = [:]
            for (unit, name) in [1: "scale-a", 2: "scale-b", 5: "scale-c"] {
                let device = try await simulator.device(name)
                let gross: Double = try #require(device.values["gross"])
                expected[unit] = gross
            }
            #expect(Set(expected.values).count == 3)
            let serial = ["-m", "rtu", "-b", "9600", "-P", "even", "-o", "1"]

            // One mbpoll run polls units 1, 2 and 5 in turn, through the link.
            let scales = try await IndependentPeers.mbpoll(
                serial + ["-0", "-a", "1,2,5", "-r", "7", "-t", "4:int", "-B", link])
            #expect(scales.status == 0, "\(scales.standardError)")
            #expect(scales.standardOutput.contains("9600-8E1"))
            let values = IndependentPeers.mbpollValues(scales.standardOutput)
            #expect(values.keys.sorted() == [1, 2, 5])
            for (unit, gross) in expected {
                #expect(number(values, unit, 7) == gross, "unit \(unit)")
            }

            // Another unit on the same line, a float sensor, through the pty path itself.
            let climate = try await simulator.device("climate")
            let floats = try await IndependentPeers.mbpoll(
                serial + ["-0", "-a", "3", "-r", "0", "-c", "2", "-t", "4:float", pty])
            #expect(floats.status == 0, "\(floats.standardError)")
            let floatValues = IndependentPeers.mbpollValues(floats.standardOutput)
            #expect(abs(try #require(number(floatValues, 3, 0)) - (climate.values["humidity"] ?? .nan)) < 1e-4)
        }
    }

    @Test("pymodbus over TCP and over the pty reads the same values the control channel shows")
    func pymodbus() async throws {
        try await SimulatorProcess.run(scenario: interopScenario) { simulator in
            let scale = try await simulator.device("scale-a")
            let scaleC = try await simulator.device("scale-c")
            let climate = try await simulator.device("climate")
            let room = try await simulator.device("room")
            let requests: [IndependentPeers.PymodbusRequest] = [
                .init(unit: 1, address: 7, count: 2, decode: "uint32"),
                .init(unit: 5, address: 7, count: 2, decode: "uint32"),
                .init(unit: 3, address: 0, count: 2, decode: "float32_cdab"),
                .init(unit: 3, address: 2, count: 2, decode: "float32_cdab"),
                .init(unit: 4, table: "input", address: 1, count: 2),
            ]
            let report = try await IndependentPeers.pymodbus([
                .tcp(simulator.port, requests), .serial(try #require(simulator.pty), requests),
            ])
            #expect(report.sessions.count == 2)
            for (transport, session) in zip(["tcp", "rtu"], report.sessions) {
                #expect(session.connected, "\(transport)")
                #expect(session.results.allSatisfy { $0.ok }, "\(transport): \(session.results)")
                guard session.results.count == 5 else { continue }
                let results = session.results
                #expect(results[0].value == scale.values["gross"], "\(transport)")
                #expect(results[0].registers == [0, 1234], "\(transport)")
                #expect(results[1].value == scaleC.values["gross"], "\(transport)")
                // A binary32 holds humidity to about 4e-6 %RH: pymodbus's value is the float nearest the model's.
                #expect(results[2].value == climate.values["humidity"].map { Double(Float($0)) }, "\(transport)")
                #expect(results[3].value == climate.values["temperature"].map { Double(Float($0)) }, "\(transport)")
                #expect(
                    results[4].registers
                        == [room.values["temperature"], room.values["humidity"]].map { Int(($0 ?? -1) * 10 + 0.5) })
                #expect(results.map(\.unit) == [1, 5, 3, 3, 4], "\(transport)")
            }
        }
    }
}
