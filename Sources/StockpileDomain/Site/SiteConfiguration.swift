/// A site: the buses and devices one agent polls, where it keeps its data, and what it may write.
///
/// Loaded and checked by `SiteLoader`; the file format is documented in `docs/site-file.md`.
/// Devices carry their loaded profile, so nothing after loading reads a file again.
public struct SiteConfiguration: Hashable, Sendable {
    /// A short, stable identifier (`demo-warehouse`): the site's key in a fleet and in file names.
    public var id: String
    /// The name people read on the dashboard and in reports.
    public var name: String
    /// Where the store lives. A relative path is relative to the agent's working directory.
    public var dataDirectory: String
    /// TCP endpoints and RTU lines, in file order (TCP first).
    public var buses: [Bus]
    /// Every device polled, in file order.
    public var devices: [Device]
    public var store: StoreSettings
    /// Locations counted by hand (the site file's `locations` section), in file order.
    public var manualLocations: [ManualLocation] = []
    /// The agent's HTTP server: address, TLS, tokens (the site file's `http` section).
    public var http = HTTPSettings()
    /// The site file, for messages.
    public var file: String

    public init(
        id: String, name: String, dataDirectory: String, buses: [Bus] = [], devices: [Device] = [],
        store: StoreSettings = StoreSettings(), file: String = ""
    ) {
        self.id = id
        self.name = name
        self.dataDirectory = dataDirectory
        self.buses = buses
        self.devices = devices
        self.store = store
        self.file = file
    }

    /// The bus with this name, if any.
    public func bus(named name: String) -> Bus? {
        buses.first { $0.name == name }
    }

    /// The device with this name, if any.
    public func device(named name: String) -> Device? {
        devices.first { $0.name == name }
    }

    /// The devices on one bus, in file order: what that bus's scheduler polls.
    public func devices(on bus: String) -> [Device] {
        devices.filter { $0.bus == bus }
    }

    /// Every scale location, in file order.
    public var locations: [ScaleLocation] {
        devices.compactMap(\.location)
    }

    /// Every location the ledger keeps stock at: each scale's bay (file order), then the manual ones.
    public var ledgerLocations: [LedgerLocation] {
        let weighed = devices.compactMap { device in
            device.location.map {
                LedgerLocation(name: $0.name, kind: .scale, zone: device.zone, device: device.name, metrology: $0)
            }
        }
        return weighed
            + manualLocations.map {
                LedgerLocation(name: $0.name, kind: .manual, zone: $0.zone, device: nil, metrology: $0.metrology)
            }
    }

    /// Every zone named by a device, in order of first appearance.
    public var zones: [String] {
        var seen: Set<String> = []
        return devices.compactMap(\.zone).filter { seen.insert($0).inserted }
    }

    /// The devices in one zone, in file order.
    public func devices(inZone zone: String) -> [Device] {
        devices.filter { $0.zone == zone }
    }

    /// The devices the agent may write to, each with the commands enabled for it. Empty on most sites.
    public var writableDevices: [Device] {
        devices.filter { !$0.commands.isEmpty }
    }
}
