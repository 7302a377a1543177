import Foundation
import Testing
@testable import SimulatorCore

@Suite("Portable exp, log, sin and cos")
struct PortableMathTests {
    /// Relative difference, with an absolute floor near zero.
    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-15) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test("exp agrees with the platform's libm to within about one ulp")
    func exp() {
        for index in -700...700 {
            let x = Double(index) * 0.731
            #expect(close(PortableMath.exp(x), Foundation.exp(x), 4e-16 * 4), "exp(\(x))")
        }
        #expect(PortableMath.exp(0) == 1)
        #expect(PortableMath.exp(-1000) == 0)
        #expect(PortableMath.exp(1000) == .infinity)
    }

    @Test("log agrees with the platform's libm to within about one ulp")
    func log() {
        for index in 1...2000 {
            let x = Double(index) * Double(index) * 1e-4 + 1e-9
            #expect(close(PortableMath.log(x), Foundation.log(x)), "log(\(x))")
        }
        #expect(PortableMath.log(1) == 0)
        #expect(PortableMath.log(0) == -.infinity)
        #expect(PortableMath.log(-1).isNaN)
        #expect(close(PortableMath.log(0x1p-53), Foundation.log(0x1p-53)))
    }

    @Test("sin and cos agree with the platform's libm over several turns, both signs")
    func trigonometry() {
        for index in -5000...5000 {
            let x = Double(index) * 0.005_3
            #expect(abs(PortableMath.sin(x) - Foundation.sin(x)) < 4e-16, "sin(\(x))")
            #expect(abs(PortableMath.cos(x) - Foundation.cos(x)) < 4e-16, "cos(\(x))")
        }
        #expect(PortableMath.cos(0) == 1)
        #expect(PortableMath.sin(0) == 0)
    }
}
