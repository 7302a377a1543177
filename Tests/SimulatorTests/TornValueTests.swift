import Dispatch
import Foundation
import Logging
import Modbus
import Simulator
import SimulatorCore
import StockpileDomain
import Synchronization
import Testing

/// Readers race a simulation stepped as fast as the machine allows, and every value they decode
/// must be one the model had at some step: never the high word of one step with the low word of
/// another, nor a weight with another step's status word.
@Suite("The simulator never serves a torn value")
struct TornValueTests {
    /// A scale wobbling across 65,536 kg (the int32's high word flips between 0 and 1 on most
    /// steps) with its motion bit toggled by load changes, and a Vaisala probe whose float32 values
    /// are least significant word first (CDAB) and change every step.
    static let scenario = """
        name: torn
        seed: 3
        step: 100ms
        tcp:
          - {name: main, port: 0}
        devices:
          - name: scale
            profile: scales/laumas-tlu.yaml
            transport: main
            unit: 1
            model: scale
            parameters: {capacity: 200000, division: 1, load: 65536, noise_divisions: 4, settling_s: 0.3}
          - name: probe
            profile: sensors/vaisala-hmp.yaml
            transport: main
            unit: 2
            model: environment
            parameters: {humidity: 50, humidity_noise: 5, temperature: 20, temperature_noise: 2}
        """

    /// A weight with the motion state that qualifies it, as one read of status and gross gives them.
    struct ScaleValue: Hashable, Sendable {
        var gross: Int
        var stable: Bool
    }

    /// Humidity and temperature from one read of the probe's first four registers.
    struct ProbeValue: Hashable, Sendable {
        var humidity: Float
        var temperature: Float
    }

    /// Everything the models produced, and what the readers decoded.
    struct Observed: Sendable {
        var scale: Set<ScaleValue> = []
        var probe: Set<ProbeValue> = []
    }

    /// Laumas TLU: status at wire 6 (b7 gross negative, b11 stable), gross at 7–8, high word first.
    static func scaleValue(_ words: [UInt16]) -> ScaleValue {
        let magnitude = Int(UInt32(words[1]) << 16 | UInt32(words[2]))
        let negative = words[0] & (1 << 7) != 0
        return ScaleValue(gross: negative ? -magnitude : magnitude, stable: words[0] & (1 << 11) != 0)
    }

    /// Vaisala HMP: humidity at 0–1 and temperature at 2–3, each float32 low word first.
    static func probeValue(_ words: [UInt16]) -> ProbeValue {
        ProbeValue(
            humidity: Float(bitPattern: UInt32(words[1]) << 16 | UInt32(words[0])),
            temperature: Float(bitPattern: UInt32(words[3]) << 16 | UInt32(words[2])))
    }

    static func describe(_ values: Set<ScaleValue>) -> String {
        values.prefix(3).map { "\($0.gross) kg stable \($0.stable)" }.joined(separator: ", ")
    }

    static func describe(_ values: Set<ProbeValue>) -> String {
        values.prefix(3).map { "\($0.humidity) %RH \($0.temperature) °C" }.joined(separator: ", ")
    }

    /// What the models hold right now, in the same terms as the decoded reads.
    static func modelValues(_ engine: SimulationEngine) -> (ScaleValue, ProbeValue)? {
        guard let scale = engine.status(of: "scale"), let probe = engine.status(of: "probe"),
            case .number(let gross)?? = scale.values["gross"], case .bool(let stable)?? = scale.values["stable"],
            case .number(let humidity)?? = probe.values["humidity"],
            case .number(let temperature)?? = probe.values["temperature"]
        else { return nil }
        return (
            ScaleValue(gross: Int(gross), stable: stable),
            ProbeValue(humidity: Float(humidity), temperature: Float(temperature))
        )
    }

    /// Steps the engine one step at a time on a thread of its own until `done` is set, moving the
    /// load every 15 steps so the motion bit changes too, and records what the models had at every
    /// step. Returns a function that stops it and hands back the record.
    static func startStepping(_ engine: SimulationEngine) -> @Sendable () -> Observed {
        let done = Atomic<Bool>(false)
        let produced = Mutex(Observed())
        let finished = DispatchSemaphore(value: 0)
        @Sendable func record() {
            guard let (scale, probe) = modelValues(engine) else { return }
            produced.withLock {
                $0.scale.insert(scale)
                $0.probe.insert(probe)
            }
        }
        record()
        let thread = Thread {
            var steps = 0
            while !done.load(ordering: .acquiring) {
                engine.advance(to: engine.now.advanced(bySeconds: engine.scenario.step))
                steps += 1
                if steps % 15 == 0 {
                    engine.trigger(.event(.addLoad(steps % 30 == 0 ? -3 : 3)), device: "scale")
                    record()
                }
                record()
            }
            finished.signal()
        }
        thread.start()
        return {
            done.store(true, ordering: .releasing)
            finished.wait()
            return produced.withLock { $0 }
        }
    }

    @Test("two million in-process reads of a weight crossing 65,536 counts and a CDAB float32 see only model values")
    func inProcess() throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load(Self.scenario))
        let banks = engine.banks(for: "main")
        let scaleBank = try #require(banks[1])
        let probeBank = try #require(banks[2])
        let stop = Self.startStepping(engine)
        let readers = 2
        let readsPerReader = 1_000_000
        let seen = Mutex(Observed())
        let group = DispatchGroup()
        for _ in 0..<readers {
            group.enter()
            Thread {
                var local = Observed()
                for index in 0..<readsPerReader {
                    if index % 2 == 0 {
                        local.scale.insert(Self.scaleValue(scaleBank.holdingRegisters(at: 6, count: 3)))
                    } else {
                        local.probe.insert(Self.probeValue(probeBank.holdingRegisters(at: 0, count: 4)))
                    }
                }
                seen.withLock {
                    $0.scale.formUnion(local.scale)
                    $0.probe.formUnion(local.probe)
                }
                group.leave()
            }.start()
        }
        group.wait()
        let produced = stop()
        let observed = seen.withLock { $0 }
        let tornScale = observed.scale.subtracting(produced.scale)
        let tornProbe = observed.probe.subtracting(produced.probe)
        #expect(produced.scale.contains { $0.gross < 65_536 } && produced.scale.contains { $0.gross >= 65_536 })
        #expect(Set(produced.scale.map(\.stable)).count == 2, "the motion bit changed during the run")
        #expect(observed.scale.count > 10 && observed.probe.count > 10, "the readers saw the values change")
        #expect(tornScale.isEmpty, "\(tornScale.count) scale reads no step had, e.g. \(Self.describe(tornScale))")
        #expect(tornProbe.isEmpty, "\(tornProbe.count) probe reads no step had, e.g. \(Self.describe(tornProbe))")
    }

    @Test("thousands of reads over TCP against the fast-changing image see only model values")
    func overTCP() async throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load(Self.scenario))
        let service = try SimulatorService(engine: engine, logger: Logger(label: "test"))
        let endpoints = try service.start()
        defer { service.stop() }
        let main = try #require(endpoints.first { $0.name == "main" })
        let stop = Self.startStepping(engine)
        let client = try SimulatorFixtures.tcpClient(main, timeout: .seconds(2))
        var observed = Observed()
        var failure: ModbusError?
        do {
            for _ in 0..<3_000 {
                let scale = try await client.readHoldingRegisters(unit: 1, address: 6, count: 3)
                let probe = try await client.readHoldingRegisters(unit: 2, address: 0, count: 4)
                observed.scale.insert(Self.scaleValue(scale))
                observed.probe.insert(Self.probeValue(probe))
            }
        } catch {
            failure = error
        }
        let produced = stop()
        #expect(failure == nil)
        let tornScale = observed.scale.subtracting(produced.scale)
        let tornProbe = observed.probe.subtracting(produced.probe)
        #expect(observed.scale.count > 10 && observed.probe.count > 10, "the reads saw the values change")
        #expect(tornScale.isEmpty, "\(tornScale.count) scale reads no step had, e.g. \(Self.describe(tornScale))")
        #expect(tornProbe.isEmpty, "\(tornProbe.count) probe reads no step had, e.g. \(Self.describe(tornProbe))")
    }
}
