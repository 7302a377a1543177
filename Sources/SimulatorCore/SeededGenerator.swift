/// A seeded pseudo-random generator whose output is the same on every run, machine and Swift version.
///
/// xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number generators", 2018),
/// with its 256-bit state filled from the seed by SplitMix64, as the authors recommend: a seed with
/// few bits set (0, 1, 2 …) still gives a well-mixed state.
///
/// Only the methods declared here are reproducible. The standard library's
/// `Double.random(in:using:)` and friends map generator output to values by an algorithm the
/// standard library may change between releases, so the simulator never calls them with this
/// generator: use `uniform()` and `gaussian(mean:standardDeviation:)`, which are written down here.
public struct SeededGenerator: RandomNumberGenerator, Hashable, Sendable {
    // Four words rather than a tuple so that the generator stays Hashable (tests compare states).
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator seeded with `seed`; the same seed always gives the same sequence.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        self.init(state: (mixer.next(), mixer.next(), mixer.next(), mixer.next()))
    }

    /// An independent generator for one named stream of a scenario, for example one device.
    ///
    /// The name is hashed with 64-bit FNV-1a over its UTF-8 bytes (never Swift's `Hasher`, which is
    /// seeded at random in every process) and combined with the scenario seed. Each device then
    /// draws its own numbers: adding a device to a scenario does not change another device's noise.
    /// Names are compared byte for byte: two spellings of "é" (composed or not) are two streams.
    public init(seed: UInt64, stream name: String) {
        // Mixing the seed first keeps (seed, name) pairs apart even when seed ^ hash would collide.
        self.init(seed: SplitMix64.mix(seed) ^ Self.fnv1a64(name))
    }

    /// Sets the raw xoshiro256** state; for the reference test vectors.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
        // The all-zero state is the one state xoshiro never leaves; SplitMix64 cannot produce four
        // zero words in a row, but a caller of this initializer could.
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// 64-bit FNV-1a of the UTF-8 bytes of `text` (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform value in [0, 1): the top 53 bits of `next()`, each value a multiple of 2⁻⁵³.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A normally distributed value (Box–Muller transform).
    ///
    /// Each call consumes exactly two 64-bit outputs and discards the transform's second value, so
    /// the position in the stream is a simple count of calls and no hidden cache is carried along.
    /// The logarithm and cosine come from `PortableMath`, not the platform's libm, so the value is
    /// bit-identical on Linux and macOS.
    public mutating func gaussian(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        // u1 in (0, 1]: the logarithm of 0 would be infinite.
        let u1 = Double((next() >> 11) + 1) * 0x1p-53
        let u2 = uniform()
        let radius = (-2 * PortableMath.log(u1)).squareRoot()
        return mean + standardDeviation * radius * PortableMath.cos(2 * Double.pi * u2)
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): turns one 64-bit seed into well-mixed state words.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 output function: a bijective scramble of one word.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
