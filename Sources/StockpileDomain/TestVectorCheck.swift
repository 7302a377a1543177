/// Runs a profile's test vectors through the decoder and lists every mismatch.
public struct TestVectorCheck: Sendable {
    /// One expectation that did not hold.
    public struct Failure: Hashable, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var vector: String
        public var point: String
        public var message: String

        public var description: String {
            "\(file):\(line.map(String.init) ?? "?"): vector \"\(vector)\", point \(point): \(message)"
        }
    }

    public let profile: DeviceProfile

    public init(profile: DeviceProfile) {
        self.profile = profile
    }

    /// Every mismatch in every vector; empty when the decoder agrees with the profile's author.
    public func failures() -> [Failure] {
        let decoder = ProfileDecoder(profile: profile)
        var failures: [Failure] = []
        for vector in profile.vectors {
            let readings = decoder.decode(vector.registers.filledWithZeros(for: profile.points))
            for expectation in vector.expectations {
                func fail(_ message: String) {
                    failures.append(
                        Failure(
                            file: profile.file, line: expectation.line, vector: vector.name, point: expectation.point,
                            message: message))
                }
                guard let reading = readings.first(where: { $0.name == expectation.point }) else {
                    fail("the decoder produced no such point")
                    continue
                }
                if !Self.matches(reading.value, expectation.value, tolerance: expectation.tolerance) {
                    fail(
                        "expected \(expectation.value?.description ?? "no value"), decoded \(reading.value?.description ?? "no value")"
                    )
                }
                if let quality = expectation.quality, quality != reading.quality {
                    fail("expected quality \(quality.rawValue), decoded \(reading.quality.rawValue)")
                }
            }
        }
        return failures
    }

    static func matches(_ actual: PointValue?, _ expected: PointValue?, tolerance: Double?) -> Bool {
        switch (actual, expected) {
        case (nil, nil): return true
        case (.number(let a)?, .number(let e)?):
            let allowed = tolerance ?? max(abs(e) * 1e-6, 1e-9)
            return abs(a - e) <= allowed
        case (.bool(let a)?, .number(let e)?): return (a ? 1 : 0) == e
        default: return actual == expected
        }
    }
}
