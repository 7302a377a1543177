public import StockpileDomain

/// The rules every site gets without writing one, each switched off (`off`) or changed by name under
/// `alerts.defaults`.
public enum AlertDefaults {
    /// The default rules' names, in the order they are evaluated.
    public static let names = [
        "device_offline", "bus_offline", "scale_error", "unrecorded_movement", "humidity_above_material_limit",
    ]

    /// Status flags that mean a scale cannot weigh, as the shipped profiles name them (overload and
    /// underload, load cell and A/D faults, error codes). A profile without one simply never raises it.
    public static let scaleErrorFlags: Set<String> = [
        "overload", "underload", "error", "error_code", "load_cell_error", "adc_error", "adc_out_of_range",
        "system_fault", "over_full_scale", "overload_2", "underload_2",
    ]

    /// The humidity point the material limit applies to.
    public static let humidityPoint = "humidity"

    /// The default rules for a site, before any override.
    ///
    /// `bus_offline` watches only buses with two devices or more: on a bus of one, the device's own
    /// alert says it all.
    public static func rules(for site: SiteConfiguration) -> [AlertRule] {
        let allDevices = site.devices.map(\.name)
        let scales = site.devices.filter { $0.profile.kind == .scale }.map(\.name)
        let humid = site.devices.filter { $0.zone != nil && $0.profile.point(named: humidityPoint) != nil }
            .map(\.name)
        let buses = site.buses.map(\.name).filter { site.devices(on: $0).count >= 2 }
        return [
            AlertRule(
                name: "device_offline", kind: .offline(devices: allDevices), severity: .warning,
                timing: AlertTiming(pendingFor: .seconds(120)), isDefault: true),
            AlertRule(
                name: "bus_offline", kind: .busOffline(buses: buses), severity: .critical,
                timing: AlertTiming(pendingFor: .seconds(120)), isDefault: true),
            AlertRule(
                name: "scale_error", kind: .deviceStatus(flags: scaleErrorFlags, badPoints: [], devices: scales),
                severity: .warning, timing: AlertTiming(pendingFor: .seconds(30)), isDefault: true),
            AlertRule(
                name: "unrecorded_movement", kind: .ledger(events: [.unrecordedMovement], locations: []),
                severity: .critical, isDefault: true),
            AlertRule(
                name: "humidity_above_material_limit",
                kind: .materialHumidity(point: humidityPoint, clearMargin: 3, devices: humid), severity: .warning,
                timing: AlertTiming(pendingFor: .seconds(600)), isDefault: true),
        ]
    }
}
