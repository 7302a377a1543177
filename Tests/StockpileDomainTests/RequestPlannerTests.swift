import Testing
import StockpileDomain
import StockpileTestSupport

@Suite("The request planner")
struct RequestPlannerTests {
    func point(_ name: String, _ table: RegisterTable, _ address: Int, _ type: PointType = .uint16) -> ProfilePoint {
        ProfilePoint(name: name, table: table, address: address, type: type)
    }

    func point(_ name: String, _ address: Int, _ type: PointType = .uint16) -> ProfilePoint {
        point(name, .holding, address, type)
    }

    @Test("neighbouring points within the gap limit share one read")
    func merges() {
        let planner = RequestPlanner(transport: TransportDefaults(maxGap: 3))
        let plan = planner.plan([point("a", 0), point("b", 2, .int32), point("c", 7)])
        #expect(plan == [PlannedRead(table: .holding, address: 0, count: 8, points: ["a", "b", "c"])])
    }

    @Test("a gap wider than the limit starts a new read")
    func gap() {
        let planner = RequestPlanner(transport: TransportDefaults(maxGap: 2))
        let plan = planner.plan([point("a", 0), point("b", 4)])
        #expect(plan.map(\.description) == ["holding 0+1", "holding 4+1"])
    }

    @Test("no read exceeds the device's limit and no value is split across two reads")
    func neverSplits() {
        let planner = RequestPlanner(transport: TransportDefaults(maxRegisters: 4, maxGap: 8))
        let points = [point("a", 0), point("b", 1), point("c", 2, .int32), point("d", 4, .int32)]
        let plan = planner.plan(points)
        #expect(plan.map(\.description) == ["holding 0+4", "holding 4+2"])
        for read in plan { #expect(read.count <= 4) }
        for candidate in points {
            let covering = plan.filter {
                $0.range.first <= candidate.range.first && candidate.range.last <= $0.range.last
            }
            #expect(covering.count == 1, "\(candidate.name) must lie wholly inside one read")
        }
    }

    @Test("a forbidden range is never read, even as filler")
    func forbidden() {
        let forbidden = AddressRange(table: .holding, first: 2, last: 2)
        let planner = RequestPlanner(transport: TransportDefaults(maxGap: 8, forbidden: [forbidden]))
        let plan = planner.plan([point("a", 0), point("b", 5)])
        #expect(plan.count == 2)
        #expect(plan.allSatisfy { !$0.range.overlaps(forbidden) })
    }

    @Test("tables are planned separately, coils and registers never mixed")
    func tables() {
        let planner = RequestPlanner(transport: TransportDefaults())
        let plan = planner.plan([
            point("r", .input, 0), point("h", .holding, 0), point("c", .coil, 0, .bool),
            point("d", .discrete, 0, .bool),
        ])
        #expect(plan.map(\.table) == [.coil, .discrete, .holding, .input])
    }

    @Test("points sharing a register (flags, overlaps) cost nothing extra")
    func overlapping() {
        let planner = RequestPlanner(transport: TransportDefaults(maxGap: 0))
        let plan = planner.plan([point("status", 3), point("motion", 3, .bit(2)), point("weight", 4, .int32)])
        #expect(plan == [PlannedRead(table: .holding, address: 3, count: 3, points: ["status", "motion", "weight"])])
    }

    @Test("greedy planning matches an exhaustive search on random layouts")
    func greedyIsMinimal() {
        // Seeded, so a failing layout comes back on the next run.
        var generator = SplitMix64(seed: 0x5EED_2026)
        for _ in 0..<200 {
            let maxRegisters = Int.random(in: 2...10, using: &generator)
            let maxGap = Int.random(in: 0...4, using: &generator)
            var address = 0
            var points: [ProfilePoint] = []
            for index in 0..<Int.random(in: 1...7, using: &generator) {
                address += Int.random(in: 0...5, using: &generator)
                let type: PointType = Bool.random(using: &generator) ? .uint16 : .int32
                points.append(point("p\(index)", address, type))
                address += type.width
            }
            let transport = TransportDefaults(maxRegisters: maxRegisters, maxGap: maxGap)
            let greedy = RequestPlanner(transport: transport).plan(points).count
            #expect(
                greedy == Self.optimum(points, transport: transport),
                "\(points.map(\.range)) max \(maxRegisters) gap \(maxGap)")
        }
    }

    /// Fewest reads by dynamic programming over contiguous groups of the sorted points.
    static func optimum(_ points: [ProfilePoint], transport: TransportDefaults) -> Int {
        let ranges = points.map(\.range).sorted { $0.first < $1.first }
        var best = [0] + Array(repeating: Int.max, count: ranges.count)
        for end in 1...ranges.count {
            for start in 0..<end where best[start] != Int.max {
                let group = ranges[start..<end]
                let first = group.first!.first
                let last = group.map(\.last).max()!
                var valid = last - first + 1 <= transport.maxRegisters
                var covered = group.first!.last
                for range in group.dropFirst() {
                    if range.first - covered - 1 > transport.maxGap { valid = false }
                    covered = max(covered, range.last)
                }
                if valid { best[end] = min(best[end], best[start] + 1) }
            }
        }
        return best[ranges.count]
    }
}
