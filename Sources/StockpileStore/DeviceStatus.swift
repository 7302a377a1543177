public import Foundation
public import StockpileDomain

/// What `stockpile status` shows for one device, read from the store.
public struct DeviceStatus: Hashable, Sendable {
    /// The device's name in the site file.
    public var device: String
    /// The newest health transition, nil if none was recorded.
    public var health: DeviceHealthEvent?
    /// Every point the device reported, by name.
    public var points: [PointLatest]
    /// Readings of quality `bad` in the error window (see ``AppDatabase/status(now:errorWindow:)``).
    public var recentBadCount: Int
    /// Readings of quality `offline` in the error window.
    public var recentOfflineCount: Int

    /// The newest reading of any point, nil if there is none.
    public var lastReadingTime: Date? {
        points.map(\.time).max()
    }

    /// The quality of the newest reading of any point.
    public var lastQuality: ReadingQuality? {
        points.max { $0.time < $1.time }?.quality
    }

    /// Bad and offline readings in the error window.
    public var recentErrorCount: Int {
        recentBadCount + recentOfflineCount
    }
}
