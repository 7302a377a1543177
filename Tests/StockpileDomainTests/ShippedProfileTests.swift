import Foundation
import Testing
import StockpileDomain
import StockpileTestSupport

@Suite("Every shipped profile")
struct ShippedProfileTests {
    @Test("the issue's eight profiles are shipped")
    func shipped() {
        #expect(
            Set(ShippedProfiles.files).isSuperset(of: [
                "Devices/scales/laumas-tlu.yaml", "Devices/scales/flintec-ft11.yaml",
                "Devices/scales/dini-argeo-dgt4x.yaml",
                "Devices/sensors/xy-md02.yaml", "Devices/sensors/sht20-x100.yaml", "Devices/sensors/vaisala-hmp.yaml",
                "Devices/sensors/generic-dose-rate.yaml", "Devices/io/generic-8ch-io.yaml",
            ]))
    }

    @Test("loads cleanly, cites its source, and passes every test vector", arguments: ShippedProfiles.files)
    func vectors(file: String) throws {
        let profile = try ShippedProfiles.load(file)
        #expect(!profile.source.document.isEmpty)
        #expect(profile.vectors.count >= 3 || profile.kind != .scale, "scales carry at least three vectors")
        let failures = TestVectorCheck(profile: profile).failures()
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    /// The reads each profile needs for one full poll, as the planner's rules give them.
    /// Every plan is one read per table: the scales' points all lie within their 32/125-register
    /// limits with gaps no wider than `max_gap` (Dini's six-register gap between gross_2 and net is
    /// within the default 8), and no profile declares a forbidden range.
    static let expectedPlans: [String: [String]] = [
        "Devices/io/generic-8ch-io.yaml": ["coil 0+8", "discrete 0+8"],
        "Devices/scales/dini-argeo-dgt4x.yaml": ["holding 201+16"],
        "Devices/scales/flintec-ft11.yaml": ["holding 0+7"],
        "Devices/scales/laumas-tlu.yaml": ["holding 0+14"],
        "Devices/sensors/generic-dose-rate.yaml": ["input 0+3"],
        "Devices/sensors/sht20-x100.yaml": ["input 1+2"],
        "Devices/sensors/vaisala-hmp.yaml": ["holding 0+8"],
        "Devices/sensors/xy-md02.yaml": ["input 1+2"],
    ]

    @Test("plans the stated transactions", arguments: ShippedProfiles.files)
    func plans(file: String) throws {
        let profile = try ShippedProfiles.load(file)
        let plan = RequestPlanner(transport: profile.transport).plan(profile.points)
        #expect(Self.expectedPlans[file] == plan.map(\.description))
    }
}
