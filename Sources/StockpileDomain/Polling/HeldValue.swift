/// The quality a point's last value is shown with, between polls and after them.
///
/// A value is held while fresh polls keep coming. When none has come for more than
/// `staleAfterCycles` of its interval — the device stopped answering, or the agent stopped — it is
/// shown `stale`; while the device is `offline` it is shown `offline`. The stored readings are not
/// changed: each keeps the quality it had when it was read.
public enum HeldValue {
    /// The quality to show for a point whose newest reading had `quality` and arrived `age` ago.
    public static func quality(
        newest quality: ReadingQuality, age: Duration, interval: Duration?, staleAfterCycles: Int,
        health: DeviceHealth?
    ) -> ReadingQuality {
        if health == .offline { return .offline }
        if let interval, age > interval * max(staleAfterCycles, 1) {
            return quality == .offline ? .offline : .stale
        }
        return quality
    }
}
