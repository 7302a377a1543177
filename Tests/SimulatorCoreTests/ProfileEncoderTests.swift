import Testing
import StockpileDomain
import SimulatorCore

/// A profile exercising every encoding rule: signs, decimals from a field, equals and summary
/// flags, sentinels, floats, every word order, a register bit, a string and a coil.
enum EncoderFixture {
    static let yaml = """
        vendor: Test
        model: Encoder fixture
        kind: other
        source: {document: "fixture"}
        points:
          - name: status
            table: holding
            address: 0
            type: uint16
            class: status
            flags:
              load_cell_error: 0
              adc_error: 1
              stable: {bit: 2, invert: true}
              gross_negative: 7
              decimal_places: {bits: 8-9}
              error_code: {bits: 13-15}
              overload: {bits: 13-15, equals: 2}
              underload: {bits: 13-15, equals: 3}
              error: {any: [load_cell_error, adc_error]}
          - name: gross
            table: holding
            address: 1
            type: uint32
            decimals_from: decimal_places
            sign_from: gross_negative
            quality: {require: [stable], reject: [overload, underload, error]}
          - {name: heater, table: holding, address: 3, type: bit, bit: 5}
          - {name: label, table: holding, address: 4, type: string, length: 4}
          - {name: temperature, table: input, address: 0, type: int16, scale: 0.1, unavailable: [0x7FFF]}
          - {name: humidity, table: input, address: 1, type: uint16, scale: 0.01}
          - {name: pressure, table: input, address: 2, type: float64, order: DCBA, unavailable: [NaN]}
          - {name: counter, table: input, address: 6, type: int32, order: CDAB, offset: 1000}
          - {name: small, table: input, address: 8, type: int16, order: BADC}
          - {name: ratio, table: input, address: 9, type: float32, order: BADC, scale: 2}
          - {name: beacon, table: coil, address: 0, type: bool}
        commands:
          zero: {table: holding, address: 20, value: 1}
        vectors:
          - name: all zero
            registers:
              - {table: holding, address: 0, values: [0]}
            expect:
              gross: {value: 0}
        """

    static func profile() throws -> DeviceProfile {
        try ProfileLoader.parse(yaml, file: "encoder-fixture.yaml")
    }
}

@Suite("Encoding values into registers")
struct ProfileEncoderTests {
    let profile: DeviceProfile
    let encoder: ProfileEncoder
    init() throws {
        profile = try EncoderFixture.profile()
        encoder = ProfileEncoder(profile: profile)
    }

    /// Encodes into `snapshot` (zero-filled by default) and decodes, by name.
    func roundTrip(_ values: [String: PointValue?], into snapshot: inout RegisterSnapshot) -> [String: PointReading] {
        encoder.encode(values, into: &snapshot)
        let readings = ProfileDecoder(profile: profile).decode(snapshot)
        return Dictionary(readings.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func roundTrip(_ values: [String: PointValue?]) -> [String: PointReading] {
        var snapshot = RegisterSnapshot().filledWithZeros(for: profile.points)
        return roundTrip(values, into: &snapshot)
    }

    func number(_ reading: PointReading?) -> Double? { reading?.value?.number }

    @Test("numbers are scaled, rounded and written in each point's word order")
    func numbers() {
        let points = roundTrip([
            "temperature": .number(-5.3), "humidity": .number(45.2), "pressure": .number(1013.25),
            "counter": .number(1500), "small": .number(-2), "ratio": .number(3.5),
        ])
        #expect(abs(number(points["temperature"])! - -5.3) < 1e-9)
        #expect(points["temperature"]?.raw == [0xFFCB])
        #expect(abs(number(points["humidity"])! - 45.2) < 1e-9)
        #expect(number(points["pressure"]) == 1013.25)
        #expect(number(points["counter"]) == 1500)
        #expect(points["counter"]?.raw == [500, 0], "CDAB: low word first")
        #expect(number(points["small"]) == -2)
        #expect(points["small"]?.raw == [0xFEFF], "BADC: bytes swapped")
        #expect(number(points["ratio"]) == 3.5)
    }

    @Test("a flag that already reads right in an empty snapshot is still written, so a cleared bit reaches the bank")
    func flagsAreWrittenIntoAnEmptySnapshot() throws {
        // The engine encodes into a fresh snapshot and copies only what was written into the bank:
        // a status word left out would keep a bit set by an earlier encoding (a scale stable in motion).
        var snapshot = RegisterSnapshot()
        encoder.encode(["load_cell_error": .bool(false), "stable": .bool(true)], into: &snapshot)
        let status = try #require(profile.point(named: "status"))
        let words = try #require(snapshot.words(in: status.range), "the status word is written")
        #expect(words == [0], "load_cell_error clear, stable (inverted) clear")
    }

    @Test("values beyond a type's range are clamped to it, short of a sentinel at the limit")
    func clamping() {
        let points = roundTrip(["temperature": .number(5_000), "humidity": .number(-5), "small": .number(1e9)])
        #expect(abs(number(points["temperature"])! - 3_276.6) < 1e-9, "0x7FFF means unavailable here")
        #expect(points["temperature"]?.quality == .good)
        #expect(number(points["humidity"]) == 0)
        #expect(number(points["small"]) == 32_767)
    }

    @Test("a signed magnitude sets its sign flag, takes its decimals from the field, and never reads −0")
    func signAndDecimals() {
        let negative = roundTrip(["decimal_places": .number(2), "gross": .number(-123.45), "stable": .bool(true)])
        #expect(abs(number(negative["gross"])! - -123.45) < 1e-9)
        #expect(negative["gross"]?.raw == [0, 12_345])
        #expect(negative["gross_negative"]?.value == .bool(true))
        #expect(negative["gross"]?.quality == .good)
        let tiny = roundTrip(["decimal_places": .number(2), "gross": .number(-0.004)])
        #expect(number(tiny["gross"]) == 0)
        #expect(tiny["gross_negative"]?.value == .bool(false))
    }

    @Test("unavailable writes the sentinel or NaN, and leaves a point without either unchanged")
    func unavailable() {
        var snapshot = RegisterSnapshot().filledWithZeros(for: profile.points)
        _ = roundTrip(["humidity": .number(45.2)], into: &snapshot)
        let points = roundTrip(["temperature": nil, "pressure": nil, "humidity": nil], into: &snapshot)
        #expect(points["temperature"]?.value == nil)
        #expect(points["temperature"]?.quality == .bad)
        #expect(points["temperature"]?.raw == [0x7FFF])
        #expect(points["pressure"]?.value == nil)
        #expect(points["pressure"]?.quality == .bad)
        #expect(abs(number(points["humidity"])! - 45.2) < 1e-9, "no sentinel: the last value stays")
    }

    @Test("flags: inverted bits, raw fields, equals conditions winning over a raw code, and summaries")
    func flags() {
        var snapshot = RegisterSnapshot().filledWithZeros(for: profile.points)
        var points = roundTrip(
            ["stable": .bool(false), "error_code": .number(4), "overload": .bool(false), "underload": .bool(false)],
            into: &snapshot)
        #expect(points["stable"]?.value == .bool(false))
        #expect(points["error_code"]?.value == .number(4), "a false condition leaves another code alone")
        points = roundTrip(
            ["stable": .bool(true), "error_code": .number(0), "overload": .bool(true), "underload": .bool(false)],
            into: &snapshot)
        #expect(points["stable"]?.value == .bool(true))
        #expect(points["overload"]?.value == .bool(true))
        #expect(points["underload"]?.value == .bool(false))
        #expect(points["error_code"]?.value == .number(2))
        points = roundTrip(["error_code": .number(0), "overload": .bool(false)], into: &snapshot)
        #expect(points["overload"]?.value == .bool(false))
        #expect(points["error_code"]?.value == .number(0))

        points = roundTrip(["error": .bool(true)], into: &snapshot)
        #expect(points["error"]?.value == .bool(true))
        #expect(points["load_cell_error"]?.value == .bool(true), "a summary sets its first part")
        points = roundTrip(["error": .bool(false)], into: &snapshot)
        #expect(points["error"]?.value == .bool(false))
        #expect(points["load_cell_error"]?.value == .bool(false), "and clears it again")
        points = roundTrip(["error": .bool(true), "adc_error": .bool(true)], into: &snapshot)
        #expect(points["adc_error"]?.value == .bool(true))
        #expect(points["load_cell_error"]?.value == .bool(false), "a part already set is enough")
    }

    @Test("flags not named keep their bits")
    func untouched() {
        var snapshot = RegisterSnapshot().filledWithZeros(for: profile.points)
        snapshot.store([0x0048], table: .holding, at: 0)  // bit 3 (undeclared) and bit 6
        encoder.encode(["stable": .bool(false), "gross": .number(10)], into: &snapshot)
        #expect(snapshot.words(in: AddressRange(table: .holding, first: 0, last: 0)) == [0x004C])
    }

    @Test("a register bit, a string and a coil round-trip")
    func bitsAndText() {
        var points = roundTrip(["heater": .bool(true), "label": .text("NdPr-01"), "beacon": .bool(true)])
        #expect(points["heater"]?.value == .bool(true))
        #expect(points["heater"]?.raw == [0x0020])
        #expect(points["label"]?.value == .text("NdPr-01"))
        #expect(points["beacon"]?.value == .bool(true))
        points = roundTrip(["label": .text("ABCDEFGHIJ"), "beacon": .bool(false)])
        #expect(points["label"]?.value == .text("ABCDEFGH"), "cut to the point's four registers")
        #expect(points["beacon"]?.value == .bool(false))
    }

    @Test("the register extent covers every point and every command")
    func extent() {
        #expect(ProfileEncoder.registerExtent(of: profile) == [.holding: 21, .input: 11, .coil: 1])
    }
}
