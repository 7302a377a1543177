import DeviceAccess
import StockpileDomain

/// One device as a bus poller holds it: its site entry, a reader per poll group, and its health.
struct PolledDevice: Sendable {
    var device: SiteConfiguration.Device
    var groups: [PollGroup]
    var readers: [DeviceReader]
    var tracker: DeviceHealthTracker
    var backoff: QuarantineBackoff

    init(_ device: SiteConfiguration.Device) {
        self.device = device
        self.groups = PollGroup.groups(of: device.profile, schedule: device.poll)
        self.readers = groups.map { DeviceReader(profile: device.profile, unit: device.unit, points: $0.points) }
        self.tracker = DeviceHealthTracker(offlineAfter: device.offlineAfter)
        self.backoff = QuarantineBackoff(initial: device.poll.every, maximum: device.maximumQuarantine)
    }

    /// Silent probes since the device went offline (0 at the poll that took it offline).
    var silentProbes: Int {
        max(tracker.silentPolls - tracker.offlineAfter, 0)
    }
}
