import ArgumentParser
import Foundation
import StockpileDomain

/// How every numeric option is read: through `CheckedNumber`, with its range, so `inf`, `nan`,
/// `1e300`, `-1` and an empty value are refused where they are parsed, naming the option
/// (`The value 'inf' is invalid for '--timeout <timeout>': inf is not a finite number`), exit 2.
///
/// Use with `parsing: .unconditional`, so a negative number is read as the option's value and
/// gets the range error, not ArgumentParser's "Missing value" (it would take `-1` for an option).
enum OptionValue {
    /// A whole number within `range`.
    static func int(in range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in try checked { () throws(CheckedNumber.Failure) in try CheckedNumber.int(text, in: range) } }
    }

    /// A finite number within `range`.
    static func double(in range: ClosedRange<Double>) -> @Sendable (String) throws -> Double {
        { text in try checked { () throws(CheckedNumber.Failure) in try CheckedNumber.double(text, in: range) } }
    }

    /// A duration (`0.5` seconds, `500ms`, `2m`) within `range`.
    static func duration(in range: ClosedRange<Duration>) -> @Sendable (String) throws -> Duration {
        { text in try checked { () throws(CheckedNumber.Failure) in try CheckedNumber.duration(text, in: range) } }
    }

    /// A standard serial speed, as the site file's `baud` takes it.
    static let baud: @Sendable (String) throws -> Int = { text in
        let value = try checked { () throws(CheckedNumber.Failure) in try CheckedNumber.int(text, in: 1...4_000_000) }
        let standard = SiteConfiguration.RTULine.standardBauds
        guard standard.contains(value) else {
            throw ValidationError(
                "\(value) is not a standard serial speed (use "
                    + standard.sorted().map(String.init).joined(separator: ", ") + ")"
            )
        }
        return value
    }

    /// A path: not empty (an empty `--site ''` would otherwise reach the loader as no file at all).
    static let path: @Sendable (String) throws -> String = { text in
        guard !text.isEmpty else { throw ValidationError("expected a path, found nothing") }
        return text
    }

    /// An existing directory (a profile directory given by mistake would otherwise be skipped silently).
    static let directory: @Sendable (String) throws -> String = { text in
        guard !text.isEmpty else { throw ValidationError("expected a directory, found nothing") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory) else {
            throw ValidationError("no such directory")
        }
        guard isDirectory.boolValue else { throw ValidationError("not a directory") }
        return text
    }

    /// A 64-bit seed (0 … 2⁶⁴−1).
    static let seed: @Sendable (String) throws -> UInt64 = { text in
        guard let value = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("expected a whole number 0–\(UInt64.max), found \"\(text)\"")
        }
        return value
    }

    private static func checked<T>(_ body: () throws(CheckedNumber.Failure) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw ValidationError(error.message)
        }
    }
}
