import Testing
import StockpileDomain

@Suite("Decoding points through a profile")
struct ProfileDecoderTests {
    let profile: DeviceProfile
    init() throws { profile = try ProfileFixtures.load() }

    func decode(
        holding: [UInt16] = [0, 0, 0], input: [UInt16] = [0, 0, 0, 0], door: Bool = false
    ) -> [String: PointReading] {
        var snapshot = RegisterSnapshot()
        snapshot.store(holding, table: .holding, at: 0)
        snapshot.store(input, table: .input, at: 0)
        snapshot.store([door], table: .discrete, at: 0)
        return Dictionary(
            ProfileDecoder(profile: profile).decode(snapshot).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("a stable weight is good, and its flags are points of their own")
    func stableWeight() {
        let points = decode(holding: [0x0000, 0x0000, 2500])
        #expect(points["gross"]?.value == .number(2500))
        #expect(points["gross"]?.quality == .good)
        #expect(points["gross"]?.raw == [0x0000, 2500])
        #expect(points["stable"]?.value == .bool(true))
        #expect(points["overload"]?.value == .bool(false))
    }

    @Test("the motion bit makes the weight uncertain, never good")
    func motion() {
        let points = decode(holding: [0x0004, 0, 2500])
        #expect(points["stable"]?.value == .bool(false))
        #expect(points["gross"]?.quality == .uncertain)
        #expect(points["gross"]?.value == .number(2500))
    }

    @Test("an overload error code makes the weight bad even when stable")
    func overload() {
        let points = decode(holding: [0x4000, 0, 2500])
        #expect(points["error_code"]?.value == .number(2))
        #expect(points["overload"]?.value == .bool(true))
        #expect(points["gross"]?.quality == .bad)
    }

    @Test("the sign bit negates and the decimal field divides")
    func signAndDecimals() {
        let points = decode(holding: [0x0280, 0, 12345])
        #expect(points["gross"]?.value == .number(-123.45))
    }

    @Test("a sentinel gives no value and quality bad")
    func sentinel() {
        let points = decode(input: [0x7FFF, 0, 0, 0])
        #expect(points["temperature"]?.value == nil)
        #expect(points["temperature"]?.quality == .bad)
        let cold = decode(input: [0xFFCB, 0, 0, 0])
        #expect(cold["temperature"]?.value?.number.map { abs($0 + 5.3) < 1e-9 } == true)
    }

    @Test("a ×0.1 register decodes to the decimal the device means, not a binary near miss")
    func decimalScale() {
        #expect(decode(input: [389, 0, 0, 0])["temperature"]?.value == .number(38.9))
        #expect(decode(input: [0xFFCB, 0, 0, 0])["temperature"]?.value == .number(-5.3))
    }

    @Test("NaN from a float sensor gives no value and quality bad")
    func nan() {
        let points = decode(input: [0, 0, 0x0000, 0x7FC0])
        #expect(points["humidity"]?.value == nil)
        #expect(points["humidity"]?.quality == .bad)
        let real = decode(input: [0, 0, 0x7AE1, 0x41F4])
        #expect(real["humidity"]?.quality == .good)
    }

    @Test("a point whose registers were not read has no value")
    func unread() {
        var snapshot = RegisterSnapshot()
        snapshot.store([0, 0, 0, 0], table: .input, at: 0)
        let points = ProfileDecoder(profile: profile).decode(snapshot)
        let gross = points.first { $0.name == "gross" }
        #expect(gross?.value == nil)
        #expect(gross?.quality == .bad)
        #expect(points.first { $0.name == "stable" }?.value == nil)
    }

    @Test("addresses in manual numbering are stored as wire addresses")
    func addressBase() {
        #expect(profile.point(named: "status")?.address == 0)
        #expect(profile.point(named: "gross")?.address == 1)
        #expect(profile.commands.first { $0.name == "zero" }?.address == 8)
        #expect(profile.commands.first { $0.name == "zero" }?.refusedInMotion == true)
        #expect(profile.commands.first { $0.name == "beacon_on" }?.values == [1])
    }

    @Test("the profile's own vector passes, and a wrong expectation is reported with its line")
    func vectors() throws {
        #expect(TestVectorCheck(profile: profile).failures().isEmpty)
        let wrong = ProfileFixtures.scale.replacingOccurrences(of: "gross: {value: 2500", with: "gross: {value: 2501")
        let failures = TestVectorCheck(profile: try ProfileFixtures.load(wrong)).failures()
        #expect(failures.count == 1)
        #expect(failures.first?.description.contains("expected 2501, decoded 2500") == true)
        #expect(failures.first?.line == 50)
    }
}

@Suite("Summary flags and doubt")
struct SummaryFlagTests {
    static let text = """
        vendor: Test
        model: Two error bits
        kind: scale
        source: {document: fixture}
        points:
          - name: status
            table: holding
            address: 0
            type: uint16
            flags:
              cell_error: 0
              adc_error: 1
              busy: 2
              error: {any: [cell_error, adc_error]}
          - name: gross
            table: holding
            address: 1
            type: int16
            quality: {reject: [error], doubt: [busy]}
        vectors:
          - name: calm
            expect:
              error: {value: false}
              gross: {value: 0, quality: good}
        """

    func decode(_ status: UInt16) throws -> [String: PointReading] {
        let profile = try ProfileLoader.parse(Self.text, file: "summary.yaml")
        var snapshot = RegisterSnapshot()
        snapshot.store([status, 100], table: .holding, at: 0)
        return Dictionary(
            ProfileDecoder(profile: profile).decode(snapshot).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("a summary flag is true when any of its parts is, and rejects the weight")
    func anyOf() throws {
        #expect(try decode(0b001)["error"]?.value == .bool(true))
        #expect(try decode(0b010)["error"]?.value == .bool(true))
        #expect(try decode(0b000)["error"]?.value == .bool(false))
        #expect(try decode(0b010)["gross"]?.quality == .bad)
    }

    @Test("a doubt flag makes the value uncertain, and reject still wins")
    func doubt() throws {
        #expect(try decode(0b100)["gross"]?.quality == .uncertain)
        #expect(try decode(0b101)["gross"]?.quality == .bad)
        #expect(try decode(0b000)["gross"]?.quality == .good)
    }

    @Test("a summary of an unknown flag is refused at load")
    func unknownPart() {
        let bad = Self.text.replacingOccurrences(of: "[cell_error, adc_error]", with: "[cell_error, adc_eror]")
        #expect(throws: ConfigurationError.self) { try ProfileLoader.parse(bad, file: "summary.yaml") }
    }
}
