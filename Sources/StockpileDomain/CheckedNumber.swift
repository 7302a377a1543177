/// The one checked reading of a number a user gives, on the command line or in a file.
///
/// Every option and every file field reads its numbers through here, so `inf`, `nan`, `1e300`, a
/// negative count or an empty text is refused where it is read, with the range it should be in,
/// instead of reaching a conversion that traps (`Int64(inf)`) or a model that cannot take it.
/// Callers add the place (the option's name, or file:line:field) to the message.
public enum CheckedNumber {
    /// Why a text or a number is not acceptable; `message` reads after the place, as in
    /// `--timeout: inf is not a finite number`.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String

        public init(_ message: String) {
            self.message = message
        }

        public var description: String { message }
    }

    /// `value` when it is finite and within `range`.
    public static func check(_ value: Double, in range: ClosedRange<Double>) throws(Failure) -> Double {
        guard value.isFinite else { throw Failure("\(value) is not a finite number") }
        guard range.contains(value) else { throw Failure("\(format(value)) is out of range \(describe(range))") }
        return value
    }

    /// `value` when it is within `range`.
    public static func check(_ value: Int, in range: ClosedRange<Int>) throws(Failure) -> Int {
        guard range.contains(value) else {
            throw Failure("\(value) is out of range \(range.lowerBound)–\(range.upperBound)")
        }
        return value
    }

    /// A decimal number (`2`, `0.5`, `1e3`) within `range`.
    public static func double(_ text: String, in range: ClosedRange<Double>) throws(Failure) -> Double {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw Failure("expected a number, found nothing") }
        guard let value = Double(trimmed) else { throw Failure("expected a number, found \"\(text)\"") }
        return try check(value, in: range)
    }

    /// A whole number (`3`, `-1`) within `range`.
    public static func int(_ text: String, in range: ClosedRange<Int>) throws(Failure) -> Int {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw Failure("expected a whole number, found nothing") }
        guard let value = Int(trimmed) else {
            if let number = Double(trimmed), number.isFinite {
                throw Failure("\(trimmed) is out of range \(range.lowerBound)–\(range.upperBound)")
            }
            throw Failure("expected a whole number, found \"\(text)\"")
        }
        return try check(value, in: range)
    }

    /// A duration: a number of seconds (`0.5`) or the site files' notation (`500ms`, `2m`), within `range`.
    public static func duration(_ text: String, in range: ClosedRange<Duration>) throws(Failure) -> Duration {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw Failure("expected a duration such as 0.5, 500ms or 2m, found nothing") }
        let value: Duration
        if let seconds = Double(trimmed) {
            let limit = range.upperBound.seconds
            _ = try check(seconds, in: range.lowerBound.seconds...limit)
            value = .nanoseconds(Int64((seconds * 1e9).rounded()))
        } else if let parsed = DurationText.parse(trimmed) {
            value = parsed
        } else {
            throw Failure("expected a duration such as 0.5, 500ms or 2m, found \"\(text)\"")
        }
        guard range.contains(value) else {
            throw Failure(
                "\(DurationText.describe(value)) is out of range "
                    + "\(DurationText.describe(range.lowerBound))–\(DurationText.describe(range.upperBound))")
        }
        return value
    }

    /// `range` as a message shows it: `0.001–3600`.
    public static func describe(_ range: ClosedRange<Double>) -> String {
        "\(format(range.lowerBound))–\(format(range.upperBound))"
    }

    /// A number without a needless `.0`: `5`, `0.5`, `1e+12`.
    public static func format(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return "\(Int64(value))" }
        return "\(value)"
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
