import Foundation
import StockpileDomain
import Testing

/// Non-finite and out-of-range numbers are refused where they are read (issue 8 §3, issue 9 §1).
@Suite("Hostile numbers in profiles and options")
struct HostileNumberTests {
    func profileError(_ old: String, _ new: String) -> ConfigurationError? {
        let text = ProfileFixtures.scale.replacingOccurrences(of: old, with: new)
        #expect(text != ProfileFixtures.scale, "the fixture changed: \(old)")
        do {
            _ = try ProfileLoader.parse(text, file: "fixture.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "a profile scale of .inf, .nan or 1e400 is refused at its line and field",
        arguments: [".inf", ".nan", "-.inf", "1e400"])
    func infiniteScale(value: String) throws {
        let error = try #require(profileError("scale: 0.1", "scale: \(value)"))
        #expect(error.line == 30)
        #expect(error.field == "points[2].scale")
        #expect(error.message.contains("not a finite number"))
    }

    @Test("a scale of 0 and an offset beyond 1e12 are refused")
    func scaleRange() throws {
        #expect(try #require(profileError("scale: 0.1", "scale: 0")).message == "a scale of 0 would make every value 0")
        let offset = try #require(profileError("scale: 0.1", "scale: 0.1\n    offset: 1e300"))
        #expect(offset.field == "points[2].offset")
        #expect(offset.message.contains("out of range"))
    }

    @Test("an empty vendor, values: [] and address 0 under address_base 1 each say what is wrong")
    func emptyAndBase() throws {
        #expect(try #require(profileError("vendor: Test", "vendor: \"\"")).message == "must not be empty")
        let values = try #require(profileError("address: 9, value: 1,", "address: 9, values: [],"))
        #expect(values.message == "a command writes at least one value")
        let base = try #require(profileError("address: 2\n    type: uint32", "address: 0\n    type: uint32"))
        #expect(base.message.contains("numbers registers as the manual does, from 1"))
        #expect(base.field == "points[1].address")
    }

    @Test("a key given twice names the second line and the first")
    func duplicateKey() throws {
        let error = try #require(
            profileError("    type: int16\n    scale: 0.1", "    type: int16\n    scale: 0.1\n    scale: 10"))
        #expect(error.line == 31)
        #expect(error.field == "scale")
        #expect(error.message == "the key is given twice (first at line 30)")
    }

    @Test("a directory, a missing file and invalid UTF-8 given as a profile say so in words")
    func unreadableFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("binary.yaml")
        try Data([0xff, 0xfe, 0x00, 0x41]).write(to: binary)
        func message(_ path: String) -> String {
            do {
                _ = try ProfileLoader.load(file: path)
                return "loaded"
            } catch {
                return error.description
            }
        }
        #expect(message(directory.path) == "\(directory.path): is a directory, not a file")
        #expect(message(directory.appendingPathComponent("none.yaml").path).hasSuffix("none.yaml: no such file"))
        #expect(message(binary.path) == "\(binary.path): is not UTF-8 text")
    }

    @Test("a decoded value that is not finite is bad with no value")
    func decodedInfinity() throws {
        var profile = try ProfileFixtures.load()
        let index = try #require(profile.points.firstIndex { $0.name == "temperature" })
        profile.points[index].scale = .infinity
        var snapshot = RegisterSnapshot()
        snapshot.store([200], table: .input, at: 0)
        let reading = try #require(ProfileDecoder(profile: profile).decode(snapshot).first { $0.name == "temperature" })
        #expect(reading.value == nil)
        #expect(reading.quality == .bad)
    }

    @Test("JSON output turns a non-finite number into null instead of failing")
    func totalJSON() throws {
        let text = JSONText.line(["value": Double.infinity, "list": [1.5, Double.nan], "unit": "kg"] as [String: Any])
        #expect(text == #"{"list":[1.5,null],"unit":"kg","value":null}"#)
    }

    @Test("the checked number parser refuses what options must not take, naming the range")
    func checkedNumbers() throws {
        #expect(throws: CheckedNumber.Failure("inf is not a finite number")) {
            try CheckedNumber.double("inf", in: 0...1)
        }
        #expect(throws: CheckedNumber.Failure("nan is not a finite number")) {
            try CheckedNumber.double("nan", in: 0...1)
        }
        #expect(throws: CheckedNumber.Failure("-1 is out of range 0–255")) { try CheckedNumber.int("-1", in: 0...255) }
        #expect(throws: CheckedNumber.Failure("1e300 is out of range 1–10")) {
            try CheckedNumber.int("1e300", in: 1...10)
        }
        #expect(throws: CheckedNumber.Failure("expected a number, found nothing")) {
            try CheckedNumber.double("", in: 0...1)
        }
        #expect(throws: CheckedNumber.Failure.self) {
            try CheckedNumber.duration("0.0001", in: .milliseconds(1)...Duration.seconds(60))
        }
        #expect(throws: CheckedNumber.Failure.self) {
            try CheckedNumber.duration("1e300", in: .milliseconds(1)...Duration.seconds(60))
        }
        #expect(try CheckedNumber.duration("0.5", in: .milliseconds(1)...Duration.seconds(60)) == .milliseconds(500))
        #expect(try CheckedNumber.duration("250ms", in: .milliseconds(1)...Duration.seconds(60)) == .milliseconds(250))
        #expect(try CheckedNumber.int(" 7 ", in: 0...10) == 7)
    }
}
