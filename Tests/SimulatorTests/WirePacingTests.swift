import Foundation
import Logging
import Modbus
import Simulator
import SimulatorCore
import Testing

/// The simulator paces each RTU line at its baud: no answer is released before a real line would
/// deliver it. Only lower bounds on wall time are asserted; a loaded machine may always be slower.
@Suite("The simulator paces RTU lines at wire speed")
struct WirePacingTests {
    static let scenario = """
        name: paced
        rtu:
          - {name: fast, baud: 19200}
          - {name: slow, baud: 9600}
          - {name: free, baud: 9600, pace: none}
        devices:
          - {name: a, profile: sensors/vaisala-hmp.yaml, transport: fast, unit: 1, model: environment}
          - {name: b, profile: sensors/vaisala-hmp.yaml, transport: slow, unit: 1, model: environment}
          - {name: c, profile: sensors/vaisala-hmp.yaml, transport: free, unit: 1, model: environment}
        """

    @Test("the wire arithmetic: 11 bits a character, 3.5-character silences, 1.75 ms above 19,200 baud")
    func arithmetic() {
        let line = RTUWireTiming(baud: 19_200)
        #expect(line.characterTime == .nanoseconds(572_916))
        #expect(line.frameSilence == .nanoseconds(2_005_208))
        // Read 4 holding registers: an 8-byte request and a 13-byte answer.
        #expect(line.exchange(request: 8, answer: 13) == .nanoseconds(12_031_250 + 2 * 2_005_208))
        #expect(RTUWireTiming(baud: 38_400).frameSilence == .microseconds(1_750))
        #expect(RTUWireTiming(baud: 9_600).transmission(of: 8) == .nanoseconds(9_166_666))
    }

    @Test("N reads on 19,200 and 9,600 baud lines at once each take at least their own line's wire time")
    func pacedPerLine() async throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load(Self.scenario))
        let service = try SimulatorService(engine: engine, logger: Logger(label: "test"))
        let endpoints = Dictionary(uniqueKeysWithValues: try await service.startServing().map { ($0.name, $0) })
        let fast = try #require(endpoints["fast"])
        let slow = try #require(endpoints["slow"])
        #expect(fast.wire?.baud == 19_200 && fast.paced)
        #expect(slow.wire?.baud == 9_600 && slow.paced)
        #expect(endpoints["free"]?.paced == false && endpoints["free"]?.wire?.baud == 9_600)
        let reads = 40
        async let fastTime = Self.time(reads, on: fast)
        async let slowTime = Self.time(reads, on: slow)
        let (onFast, onSlow) = try await (fastTime, slowTime)
        await service.shutDown()
        // Each read: request 8 bytes, answer 3 + 4 × 2 + 2 = 13 bytes, 11 bits each; a 3.5-character
        // silence before each answer and between exchanges.
        func floor(baud: Double) -> Double {
            let character = 11 / baud
            return Double(reads) * 21 * character + Double(2 * reads - 1) * 3.5 * character
        }
        #expect(onFast >= floor(baud: 19_200), "19,200 baud: \(onFast) s for \(reads) reads")
        #expect(onSlow >= floor(baud: 9_600), "9,600 baud: \(onSlow) s for \(reads) reads")
        #expect(floor(baud: 19_200) > 0.6 && floor(baud: 9_600) > 1.2, "the bounds are not trivial")
    }

    @Test("a pace that is neither wire nor none is refused naming the field")
    func unknownPace() throws {
        let text = Self.scenario.replacingOccurrences(of: "pace: none", with: "pace: fast")
        #expect {
            try SimulatorFixtures.load(text)
        } throws: { error in
            "\(error)".contains(":5: rtu[2].pace: unknown value \"fast\" (use wire or none)")
        }
    }

    /// Seconds `reads` reads of four holding registers take on `endpoint`, connection excluded.
    static func time(_ reads: Int, on endpoint: SimulatorService.Endpoint) async throws -> Double {
        let client = try SimulatorFixtures.rtuClient(endpoint, timeout: .seconds(2))
        _ = try await client.readHoldingRegisters(unit: 1, address: 0, count: 4)
        let start = ContinuousClock.now
        for _ in 0..<reads { _ = try await client.readHoldingRegisters(unit: 1, address: 0, count: 4) }
        let elapsed = ContinuousClock.now - start
        await client.close()
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
