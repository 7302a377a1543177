import Testing
import StockpileDomain
@testable import SimulatorCore

@Suite("The IO model")
struct IOModelTests {
    @Test("doors map to door_1 … door_8 and coils to beacon, siren and output_3 … output_8")
    func points() {
        var module = IOModel()
        module.openDoor(3)
        module.setCoil(0, true)
        module.setCoil(7, true)
        let values = module.pointValues()
        #expect(values.count == 16)
        #expect(values["door_3"] == .bool(true))
        #expect(values["door_4"] == .bool(false))
        #expect(values["beacon"] == .bool(true))
        #expect(values["siren"] == .bool(false))
        #expect(values["output_8"] == .bool(true))
        #expect(module.beacon && !module.siren)
        module.closeDoor(3)
        module.setCoil(0, false)
        #expect(module.pointValues()["door_3"] == .bool(false))
        #expect(!module.beacon)
    }

    @Test("normally-closed wiring reads a closed door as an active input")
    func wiring() {
        var module = IOModel(configuration: IOModel.Configuration(activeWhenOpen: false))
        module.openDoor(1)
        #expect(module.pointValues()["door_1"] == .bool(false))
        #expect(module.pointValues()["door_2"] == .bool(true))
    }

    @Test("the module keeps the simulated clock without drawing random numbers")
    func clock() {
        var rng = SeededGenerator(seed: 1)
        let before = rng
        var module = IOModel()
        module.run(1, rng: &rng)
        #expect(module.time == SimulatedTime(seconds: 1))
        #expect(rng == before)
    }
}
