import Foundation
import Testing
import StockpileDomain
@testable import SimulatorCore
import StockpileTestSupport

/// Values to encode, and what decoding them must give back.
struct RoundTripCase {
    /// What is expected of one point; checked only when the profile has that point or flag.
    struct Expectation {
        var value: PointValue?
        var quality: ReadingQuality?
    }

    var name: String
    var values: [String: PointValue?]
    var expect: [String: Expectation]

    /// Scale cases: the brief's representative readings.
    static func scale(_ profile: DeviceProfile) -> [RoundTripCase] {
        let has = { (name: String) in profile.point(named: name) != nil || profile.flags[name] != nil }
        func weights(
            gross: Double, net: Double? = nil, tare: Double = 0, stable: Bool = true, overload: Bool = false,
            underload: Bool = false, error: Int = 0
        ) -> [String: PointValue?] {
            let tareActive = tare != 0
            let net = net ?? gross - tare
            return [
                "gross": .number(gross), "net": .number(net), "tare": .number(tare), "stable": .bool(stable),
                "center_of_zero": .bool(gross == 0), "overload": .bool(overload), "underload": .bool(underload),
                "tare_active": .bool(tareActive), "error": .bool(error != 0), "error_code": .number(Double(error)),
                "displayed_weight": .number(tareActive ? net : gross), "net_mode": .bool(tareActive),
                "net_display": .bool(tareActive),
            ]
        }
        func all(_ value: Double, _ quality: ReadingQuality) -> [String: Expectation] {
            [
                "gross": Expectation(value: .number(value), quality: quality),
                "net": Expectation(value: .number(value), quality: quality),
                "displayed_weight": Expectation(value: .number(value), quality: quality),
            ]
        }
        let underloadQuality: ReadingQuality = has("underload") ? .bad : .good
        let errorQuality: ReadingQuality = has("error") ? .bad : .good
        return [
            RoundTripCase(
                name: "stable 2,500 kg", values: weights(gross: 2_500),
                expect: all(2_500, .good).merging([
                    "tare": Expectation(value: .number(0)), "stable": Expectation(value: .bool(true)),
                    "overload": Expectation(value: .bool(false)), "center_of_zero": Expectation(value: .bool(false)),
                    "tare_active": Expectation(value: .bool(false)), "net_mode": Expectation(value: .bool(false)),
                    "error": Expectation(value: .bool(false)), "error_code": Expectation(value: .number(0)),
                ]) { $1 }),
            RoundTripCase(name: "negative gross −15 kg", values: weights(gross: -15), expect: all(-15, .good)),
            RoundTripCase(
                name: "in motion at 2,480 kg", values: weights(gross: 2_480, stable: false),
                expect: all(2_480, .uncertain).merging(["stable": Expectation(value: .bool(false))]) { $1 }),
            RoundTripCase(
                name: "overload at 5,010 kg", values: weights(gross: 5_010, overload: true),
                expect: all(5_010, .bad).merging(["overload": Expectation(value: .bool(true))]) { $1 }),
            RoundTripCase(
                name: "underload at −300 kg (bad where the profile has an underload flag)",
                values: weights(gross: -300, underload: true), expect: all(-300, underloadQuality)),
            RoundTripCase(
                name: "centre of zero", values: weights(gross: 0),
                expect: all(0, .good).merging(["center_of_zero": Expectation(value: .bool(true))]) { $1 }),
            RoundTripCase(
                name: "tared: gross 1,200 kg, tare 150 kg, net 1,050 kg", values: weights(gross: 1_200, tare: 150),
                expect: [
                    "gross": Expectation(value: .number(1_200), quality: .good),
                    "net": Expectation(value: .number(1_050), quality: .good),
                    "displayed_weight": Expectation(value: .number(1_050), quality: .good),
                    "tare": Expectation(value: .number(150)), "tare_active": Expectation(value: .bool(true)),
                    "net_mode": Expectation(value: .bool(true)), "net_display": Expectation(value: .bool(true)),
                ]),
            RoundTripCase(
                name: "fault code 4 (bad where the profile has an error flag)", values: weights(gross: 2_500, error: 4),
                expect: [
                    "gross": Expectation(value: .number(2_500), quality: errorQuality),
                    "error": Expectation(value: .bool(true)), "error_code": Expectation(value: .number(4)),
                ]),
        ]
    }

    /// Climate and dose cases.
    static func environment(_ profile: DeviceProfile) -> [RoundTripCase] {
        let dewPoint = DewPoint.magnus(temperature: -5.3, relativeHumidity: 45.2)!
        // Only points that can say "no measurement" (a float, or an integer sentinel) are expected to.
        let canBeUnavailable = { (name: String) in
            profile.point(named: name).map { $0.type.isFloat || !$0.unavailableValues.isEmpty } ?? false
        }
        var unavailable: [String: Expectation] = [:]
        for name in ["temperature", "humidity", "dew_point", "dose_rate"] where canBeUnavailable(name) {
            unavailable[name] = Expectation(value: nil, quality: .bad)
        }
        return [
            RoundTripCase(
                name: "−5.3 °C and 45.2 %RH",
                values: ["temperature": .number(-5.3), "humidity": .number(45.2), "dew_point": .number(dewPoint)],
                expect: [
                    "temperature": Expectation(value: .number(-5.3), quality: .good),
                    "humidity": Expectation(value: .number(45.2), quality: .good),
                    "dew_point": Expectation(value: .number(dewPoint), quality: .good),
                ]),
            RoundTripCase(
                name: "30.5 °C and 100 %RH", values: ["temperature": .number(30.5), "humidity": .number(100)],
                expect: [
                    "temperature": Expectation(value: .number(30.5), quality: .good),
                    "humidity": Expectation(value: .number(100), quality: .good),
                ]),
            RoundTripCase(
                name: "background 0.12 µSv/h", values: ["dose_rate": .number(0.12)],
                expect: ["dose_rate": Expectation(value: .number(0.12), quality: .good)]),
            RoundTripCase(
                name: "unavailable: NaN or the sentinel",
                values: ["temperature": nil, "humidity": nil, "dew_point": nil, "dose_rate": nil], expect: unavailable),
        ]
    }

    /// Door and output cases.
    static func io() -> [RoundTripCase] {
        var values: [String: PointValue?] = [:]
        var expect: [String: Expectation] = [:]
        for index in 1...8 {
            let state = index == 3 || index == 8
            values["door_\(index)"] = .bool(state)
            expect["door_\(index)"] = Expectation(value: .bool(state), quality: .good)
            values[IOModel.coilName(index - 1)] = .bool(index == 1 || index == 5)
            expect[IOModel.coilName(index - 1)] = Expectation(value: .bool(index == 1 || index == 5), quality: .good)
        }
        return [RoundTripCase(name: "doors 3 and 8, beacon and output 5", values: values, expect: expect)]
    }

    static func cases(for profile: DeviceProfile) -> [RoundTripCase] {
        switch profile.kind {
        case .scale: scale(profile)
        case .environment, .radiation: environment(profile)
        case .io: io()
        case .other: []
        }
    }
}

@Suite("Encoding every shipped profile")
struct ShippedProfileEncodingTests {
    /// Encodes into a zero-filled register bank (as a server starts) and decodes, by name.
    static func roundTrip(_ values: [String: PointValue?], profile: DeviceProfile) -> [String: PointReading] {
        var snapshot = RegisterSnapshot().filledWithZeros(for: profile.points)
        ProfileEncoder(profile: profile).encode(values, into: &snapshot)
        let readings = ProfileDecoder(profile: profile).decode(snapshot)
        return Dictionary(readings.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Half the register's resolution for integers; float32's precision for floats.
    static func tolerance(of name: String, in profile: DeviceProfile, near value: Double) -> Double {
        guard let point = profile.point(named: name), !point.type.isFloat else { return abs(value) * 1e-6 + 1e-9 }
        var resolution = abs(point.scale)
        for _ in 0..<point.decimals { resolution /= 10 }
        return resolution / 2 + 1e-9
    }

    @Test(
        "representative values decode back, with the qualities the profile gives them", arguments: ShippedProfiles.files
    )
    func roundTrip(file: String) throws {
        let profile = try ShippedProfiles.load(file)
        let cases = RoundTripCase.cases(for: profile)
        #expect(!cases.isEmpty)
        var checked = 0
        for testCase in cases {
            let points = Self.roundTrip(testCase.values, profile: profile)
            for (name, expected) in testCase.expect {
                guard let reading = points[name] else { continue }
                checked += 1
                let context = Comment(rawValue: "\(file), \(testCase.name), \(name): decoded \(reading)")
                switch (expected.value, reading.value) {
                case (.number(let want)?, .number(let got)?):
                    #expect(abs(got - want) <= Self.tolerance(of: name, in: profile, near: want), context)
                default:
                    #expect(reading.value == expected.value, context)
                }
                if let quality = expected.quality { #expect(reading.quality == quality, context) }
            }
        }
        #expect(checked >= 2, "every profile checks its points in more than one case")
    }

    @Test("a scale model's own values go through every scale profile", arguments: ShippedProfiles.files)
    func scaleModel(file: String) throws {
        let profile = try ShippedProfiles.load(file)
        guard profile.kind == .scale else { return }
        var rng = SeededGenerator(seed: 1, stream: file)
        var scale = ScaleModel(configuration: ScaleModel.Configuration(initialLoad: 2_500))
        scale.run(1, rng: &rng)
        var points = Self.roundTrip(scale.pointValues(), profile: profile)
        let weight = points["gross"] ?? points["displayed_weight"]
        #expect(weight?.value == .number(scale.reading().gross))
        #expect(weight?.quality == .good)
        scale.addLoad(-400)
        scale.run(0.5, rng: &rng)
        points = Self.roundTrip(scale.pointValues(), profile: profile)
        #expect((points["gross"] ?? points["displayed_weight"])?.quality == .uncertain)
    }

    @Test(
        "an environment model's own values go through every climate and dose profile", arguments: ShippedProfiles.files)
    func environmentModel(file: String) throws {
        let profile = try ShippedProfiles.load(file)
        guard profile.kind == .environment || profile.kind == .radiation else { return }
        var rng = SeededGenerator(seed: 1, stream: file)
        var zone = EnvironmentModel()
        zone.run(10, rng: &rng)
        let reading = zone.reading()
        let points = Self.roundTrip(zone.pointValues(), profile: profile)
        let expected: [String: Double?] = [
            "temperature": reading.temperature, "humidity": reading.humidity, "dew_point": reading.dewPoint,
            "dose_rate": reading.doseRate,
        ]
        var checked = 0
        for (name, value) in expected {
            guard let decoded = points[name], let value else { continue }
            checked += 1
            #expect(abs(decoded.value!.number! - value) <= Self.tolerance(of: name, in: profile, near: value))
            #expect(decoded.quality == .good)
        }
        #expect(checked >= 1)
    }

    @Test("register extents size a server's banks for every shipped profile", arguments: ShippedProfiles.files)
    func extents(file: String) throws {
        let profile = try ShippedProfiles.load(file)
        let extent = ProfileEncoder.registerExtent(of: profile)
        for point in profile.points {
            #expect(point.range.last < extent[point.table] ?? 0)
        }
        for command in profile.commands {
            #expect(command.address + command.values.count <= extent[command.table] ?? 0)
        }
    }
}
