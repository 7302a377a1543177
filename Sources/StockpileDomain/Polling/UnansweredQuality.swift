extension ReadingQuality {
    /// The quality of a point whose read got no answer, given its device's health after the poll:
    /// `offline` once the device is judged offline, `stale` before (one missed answer does not yet
    /// mean the device is gone). Either way the reading carries no value.
    public static func unanswered(health: DeviceHealth?) -> ReadingQuality {
        health == .offline ? .offline : .stale
    }
}
