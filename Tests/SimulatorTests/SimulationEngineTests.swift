import Dispatch
import Foundation
import Modbus
import ModbusServing
import Simulator
import SimulatorCore
import StockpileDomain
import Synchronization
import Testing

@Suite("The simulation engine")
struct SimulationEngineTests {
    /// Every register of every device on a transport, for comparing whole warehouses.
    func registers(_ engine: SimulationEngine, _ transport: String) -> [UInt8: [UInt16]] {
        engine.banks(for: transport).mapValues { bank in
            bank.holdingRegisters(at: 0, count: bank.holdingRegisterCount)
                + bank.inputRegisters(at: 0, count: bank.inputRegisterCount)
        }
    }

    @Test("the same scenario and seed give the same registers at the same simulated time, however it was stepped")
    func deterministic() throws {
        let scenario = try SimulatorFixtures.load()
        let first = SimulationEngine(scenario: scenario, seed: 5)
        let second = SimulationEngine(scenario: scenario, seed: 5)
        let other = SimulationEngine(scenario: scenario, seed: 6)
        first.advance(to: SimulatedTime(seconds: 30))
        for seconds in stride(from: 0.35, through: 30, by: 0.35) { second.advance(to: SimulatedTime(seconds: seconds)) }
        second.advance(to: SimulatedTime(seconds: 30))
        other.advance(to: SimulatedTime(seconds: 30))
        #expect(first.now == second.now)
        #expect(registers(first, "line1") == registers(second, "line1"))
        #expect(registers(first, "main") == registers(second, "main"))
        #expect(registers(first, "line1") != registers(other, "line1"), "another seed, other noise")
    }

    @Test("a timeline event lands at its simulated time: motion first, then the new stable weight")
    func timeline() throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load())
        engine.advance(to: SimulatedTime(seconds: 9.9))
        #expect(engine.status(of: "scale")?.values["gross"] == .number(1200))
        engine.advance(to: SimulatedTime(seconds: 10.5))
        #expect(engine.status(of: "scale")?.values["stable"] == .bool(false))
        engine.advance(to: SimulatedTime(seconds: 15))
        #expect(engine.status(of: "scale")?.values["gross"] == .number(1500))
        #expect(engine.status(of: "scale")?.values["stable"] == .bool(true))
        engine.advance(to: SimulatedTime(seconds: 21))
        #expect(engine.status(of: "climate")?.faults == ["offline"])
        engine.advance(to: SimulatedTime(seconds: 26))
        #expect(engine.status(of: "climate")?.faults == [], "the 5 s offline window has passed")
    }

    @Test("the scale's registers carry its model's weight through the profile")
    func encodesThroughProfile() throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load())
        let bank = try #require(engine.banks(for: "main")[1])
        let reading = ProfileDecoder(profile: try SimulatorFixtures.profile("scales/laumas-tlu.yaml"))
        var snapshot = RegisterSnapshot()
        snapshot.store(bank.holdingRegisters(at: 0, count: bank.holdingRegisterCount), table: .holding, at: 0)
        let gross = reading.decode(snapshot).first { $0.name == "gross" }
        #expect(gross?.value == .number(1200))
        #expect(gross?.quality == .good)
    }

    @Test("a fault limited to N requests spoils exactly N")
    func faultRequests() throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load())
        engine.trigger(.fault(Fault(kind: .exception(code: 6, probability: 1), requests: 2)), device: "scale")
        let read = ModbusRequest(unit: 1, pdu: [3, 0, 0, 0, 14])
        #expect(engine.decide(read, transport: "main") == .exception(.serverDeviceBusy))
        #expect(engine.decide(read, transport: "line1") == .exception(.serverDeviceBusy))
        #expect(engine.decide(read, transport: "main") == .reply)
    }

    @Test("a slow fault delays whatever the device would have answered")
    func slowWrapsDecision() throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load())
        engine.trigger(.fault(Fault(kind: .slow(delay: 0.3, jitter: 0))), device: "scale")
        engine.trigger(.fault(Fault(kind: .exception(code: 4, probability: 1))), device: "scale")
        let read = ModbusRequest(unit: 1, pdu: [3, 0, 0, 0, 14])
        #expect(
            engine.decide(read, transport: "main") == .delay(.milliseconds(300), then: .exception(.serverDeviceFailure))
        )
    }

    @Test("tare is refused in motion with exception 4 and accepted when stable; every write is recorded")
    func tareInMotion() throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load())
        let profile = try SimulatorFixtures.profile("scales/laumas-tlu.yaml")
        let tare = try #require(profile.commands.first { $0.name == "tare" })
        let write = ModbusRequest(
            unit: 1,
            pdu: [16, 0, UInt8(tare.address), 0, 1, 2, UInt8(tare.values[0] >> 8), UInt8(tare.values[0] & 0xFF)])
        engine.trigger(.event(.addLoad(100)), device: "scale")
        #expect(engine.decide(write, transport: "main") == .exception(.serverDeviceFailure))
        engine.advance(to: SimulatedTime(seconds: 5))
        #expect(engine.decide(write, transport: "main") == .reply)
        engine.advance(to: SimulatedTime(seconds: 5.5))
        #expect(engine.status(of: "scale")?.values["net"] == .number(0))
        let writes = engine.status(of: "scale")?.writes ?? []
        #expect(writes.map(\.outcome) == ["refusedInMotion", "accepted"])
        #expect(writes.allSatisfy { $0.command == "tare" })
    }

    @Test("writes that are not commands or coils are refused and recorded")
    func strayWrites() throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load())
        let stray = ModbusRequest(unit: 1, pdu: [6, 0, 7, 0, 1])
        #expect(engine.decide(stray, transport: "main") == .exception(.illegalDataAddress))
        let beacon = ModbusRequest(unit: 9, pdu: [5, 0, 0, 0xFF, 0])
        #expect(engine.decide(beacon, transport: "main") == .reply)
        engine.advance(to: SimulatedTime(seconds: 0.2))
        #expect(engine.status(of: "doors")?.values["beacon"] == .bool(true))
        #expect(engine.status(of: "scale")?.writes.first?.outcome == "refused: not writable")
    }
}

@Suite("The simulation engine's catch-up")
struct SimulationEngineCatchUpTests {
    @Test("a long catch-up releases the lock between batches: another thread sees times in between")
    func boundedHolds() throws {
        let engine = SimulationEngine(scenario: try SimulatorFixtures.load())
        let target = SimulatedTime(seconds: 10_000)
        let seen = Mutex<Set<SimulatedTime>>([])
        let done = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            while !done.load(ordering: .acquiring) {
                let now = engine.now
                seen.withLock { _ = $0.insert(now) }
            }
            finished.signal()
        }.start()
        let steps = engine.advance(to: target)
        done.store(true, ordering: .releasing)
        finished.wait()
        #expect(steps == 100_000)
        let between = seen.withLock { $0 }.filter { $0 > .zero && $0 < target }
        #expect(!between.isEmpty, "one hold for all 100,000 steps would show only the start and the end")
        #expect(between.allSatisfy { $0.nanoseconds % Int64(SimulationEngine.stepsPerHold * 100_000_000) == 0 })
    }
}
