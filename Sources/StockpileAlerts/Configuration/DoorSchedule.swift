public import Foundation

/// The weekly hours a door may stand open, at a fixed offset from UTC.
///
/// Sites run on local time but a fixed offset never jumps: a site that changes to summer time
/// writes its offset again (or two schedules' worth of margin). `+02:00` means local = UTC + 2 h.
public struct DoorSchedule: Hashable, Sendable, Codable {
    /// Days of the week, ISO order.
    public enum Weekday: String, Hashable, Sendable, Codable, CaseIterable {
        /// Monday to Sunday, as the site file writes them.
        case mon, tue, wed, thu, fri, sat, sun
    }

    /// One window: on these days, from `start` (inclusive) to `end` (exclusive), local minutes after midnight.
    public struct Window: Hashable, Sendable, Codable {
        /// The days it applies on.
        public var days: Set<Weekday>
        /// Minutes after local midnight, 0–1439.
        public var start: Int
        /// Minutes after local midnight, 1–1440 (`24:00`); greater than `start`.
        public var end: Int

        /// A window on `days` from `start` to `end` minutes after local midnight.
        public init(days: Set<Weekday>, start: Int, end: Int) {
            self.days = days
            self.start = start
            self.end = end
        }
    }

    /// Local time minus UTC, in seconds (`+02:00` is 7200).
    public var utcOffsetSeconds: Int
    /// The hours a door may be open; outside every window it may not.
    public var windows: [Window]

    /// A schedule at an offset from UTC.
    public init(utcOffsetSeconds: Int, windows: [Window]) {
        self.utcOffsetSeconds = utcOffsetSeconds
        self.windows = windows
    }

    /// Whether the door may be open at this instant.
    public func allowsOpen(at instant: Date) -> Bool {
        let local = Int((instant.timeIntervalSince1970).rounded(.down)) + utcOffsetSeconds
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        // 1970-01-01 was a Thursday (index 3 with Monday at 0).
        let weekday = Weekday.allCases[((days + 3) % 7 + 7) % 7]
        let minute = (local - days * 86_400) / 60
        return windows.contains { $0.days.contains(weekday) && minute >= $0.start && minute < $0.end }
    }
}
