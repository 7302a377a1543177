public import StockpileDomain
import Foundation

/// Reads a site file's `alerts` section, checked against the site it belongs to; the format is in
/// `docs/alerts.md`. Every error names the file, line and field.
public enum AlertConfigurationParser {
    /// The configuration of a site whose file has no `alerts` section: the defaults and the log receiver.
    public static func defaults(for site: SiteConfiguration) -> AlertConfiguration {
        AlertConfiguration(
            rules: AlertDefaults.rules(for: site), devices: contexts(of: site),
            busDevices: Dictionary(
                uniqueKeysWithValues: site.buses.map { ($0.name, site.devices(on: $0.name).map(\.name)) }),
            locations: Dictionary(
                site.ledgerLocations.map {
                    ($0.name, AlertConfiguration.LocationContext(zone: $0.zone, device: $0.device))
                },
                uniquingKeysWith: { first, _ in first }),
            site: site.id)
    }

    /// The `alerts` section of the site file `site` was loaded from, or the defaults when it has none.
    public static func load(site: SiteConfiguration) throws(ConfigurationError) -> AlertConfiguration {
        try parse(siteRoot: try YAMLField.parse(try YAMLField.text(ofFile: site.file), file: site.file), site: site)
    }

    /// The `alerts` section of a whole site file (its root), or the defaults when it has none.
    public static func parse(
        siteRoot root: YAMLField, site: SiteConfiguration
    ) throws(ConfigurationError)
        -> AlertConfiguration
    {
        guard let section = try root.optional("alerts") else { return defaults(for: site) }
        return try parse(section, site: site)
    }

    /// Parses the `alerts` section itself.
    public static func parse(
        _ field: YAMLField, site: SiteConfiguration
    ) throws(ConfigurationError)
        -> AlertConfiguration
    {
        try field.allowOnly(["rules", "defaults", "receivers", "beacon", "external_url"])
        var configuration = defaults(for: site)
        if let defaultsField = try field.optional("defaults") {
            configuration.rules = try overrideDefaults(defaultsField, rules: configuration.rules)
        }
        if let rules = try field.optional("rules") {
            var parser = AlertRuleParser(site: site)
            for item in try rules.items() { configuration.rules += try parser.parse(item) }
        }
        if let receivers = try field.optional("receivers") {
            var names: Set<String> = [AlertReceiver.log.name]
            for item in try receivers.items() {
                let receiver = try parseReceiver(item)
                guard names.insert(receiver.name).inserted else {
                    throw try item.required("name").error("the receiver name \"\(receiver.name)\" is used twice")
                }
                configuration.receivers.append(receiver)
            }
        }
        if let beacon = try field.optional("beacon") { configuration.beacon = try parseBeacon(beacon, site: site) }
        if let url = try field.optional("external_url") { configuration.externalURL = try httpURL(url) }
        return configuration
    }

    static func contexts(of site: SiteConfiguration) -> [String: AlertConfiguration.DeviceContext] {
        Dictionary(
            uniqueKeysWithValues: site.devices.map {
                ($0.name, AlertConfiguration.DeviceContext(bus: $0.bus, zone: $0.zone, location: $0.location?.name))
            })
    }

    // MARK: - Defaults

    /// `defaults: {device_offline: off, scale_error: {severity: critical, for: 1m}}`.
    private static func overrideDefaults(
        _ field: YAMLField, rules: [AlertRule]
    ) throws(ConfigurationError)
        -> [AlertRule]
    {
        try field.allowOnly(Set(AlertDefaults.names))
        var result = rules
        for (name, value) in try field.entries() {
            guard let index = result.firstIndex(where: { $0.name == name }) else { continue }
            if value.node.scalar != nil {
                guard value.booleanValue == false || (try? value.string()) == "off" else {
                    throw value.error("expected `off` or a mapping of fields to change")
                }
                result.remove(at: index)
                continue
            }
            var rule = result[index]
            var allowed: Set<String> = ["severity", "for", "keep_firing_for", "min_firing"]
            if case .materialHumidity = rule.kind { allowed.insert("clear_margin") }
            if case .deviceStatus = rule.kind { allowed.insert("flags") }
            try value.allowOnly(allowed)
            try AlertRuleParser.applyCommon(value, to: &rule)
            switch rule.kind {
            case .materialHumidity(let point, _, let devices):
                if let margin = try value.optional("clear_margin") {
                    rule.kind = .materialHumidity(
                        point: point, clearMargin: try AlertRuleParser.margin(margin), devices: devices)
                }
            case .deviceStatus(_, let bad, let devices):
                if let flags = try value.optional("flags") {
                    let names = try flags.strings()
                    if names.isEmpty { throw flags.error("name at least one flag") }
                    rule.kind = .deviceStatus(flags: Set(names), badPoints: bad, devices: devices)
                }
            default: break
            }
            result[index] = rule
        }
        return result
    }

    // MARK: - Receivers

    private static let policyFields: Set<String> = [
        "group_by", "group_wait", "group_interval", "repeat_interval", "severities", "send_resolved", "retry",
    ]

    private static func parseReceiver(_ item: YAMLField) throws(ConfigurationError) -> AlertReceiver {
        let typeField = try item.required("type")
        let type = try typeField.string()
        var allowed: Set<String> = ["name", "type", "severities", "retry"]
        switch type {
        case "webhook": allowed.formUnion(policyFields.union(["url", "timeout"]))
        case "alertmanager": allowed.formUnion(["url", "resend_interval", "timeout"])
        case "command": allowed.formUnion(policyFields.union(["path", "args", "timeout"]))
        case "log": throw typeField.error("the log receiver is always on and has nothing to configure")
        default: throw typeField.error("unknown receiver type \"\(type)\" (use webhook, alertmanager, command)")
        }
        try item.allowOnly(allowed)
        let nameField = try item.required("name")
        let name = try AlertRuleParser.identifier(nameField)
        if name == AlertReceiver.log.name { throw nameField.error("\"log\" is the built-in log receiver's name") }
        var policy = NotificationPolicy()
        var timeout: Duration = .seconds(10)
        if let field = try item.optional("timeout") {
            timeout = try field.duration(in: .milliseconds(100)...Duration.seconds(600))
        }
        let kind: AlertReceiver.Kind
        switch type {
        case "webhook":
            kind = .webhook(url: try httpURL(try item.required("url")))
        case "alertmanager":
            let resend =
                try item.optional("resend_interval")?.duration(in: .seconds(1)...Duration.seconds(3600))
                ?? .seconds(60)
            // Every alert on its own, re-sent while active: Alertmanager groups and resolves on its side.
            policy = NotificationPolicy(
                groupBy: [NotificationPolicy.everyLabel], groupWait: .zero, groupInterval: resend,
                repeatInterval: resend, repeatAcknowledged: true)
            kind = .alertmanager(baseURL: try httpURL(try item.required("url")))
        default:
            let pathField = try item.required("path")
            let path = try pathField.nonEmptyString()
            guard path.hasPrefix("/") else { throw pathField.error("give the program's absolute path") }
            let arguments = try item.optional("args")?.strings() ?? []
            kind = .command(path: path, arguments: arguments, timeout: timeout)
        }
        try parsePolicy(item, into: &policy)
        return AlertReceiver(name: name, kind: kind, policy: policy, timeout: timeout, line: item.line)
    }

    private static func parsePolicy(_ item: YAMLField, into policy: inout NotificationPolicy) throws(ConfigurationError)
    {
        if let field = try item.optional("group_by") {
            let labels = try field.strings()
            if labels != [NotificationPolicy.everyLabel] {
                for label in labels where !AlertLabels.known.contains(label) {
                    let known = AlertLabels.known.sorted().joined(separator: ", ")
                    throw field.error("unknown label \"\(label)\" (use \(known) or \"...\")")
                }
            }
            policy.groupBy = labels
        }
        if let field = try item.optional("group_wait") {
            policy.groupWait = try field.duration(in: .zero...Duration.seconds(3600))
        }
        if let field = try item.optional("group_interval") {
            policy.groupInterval = try field.duration(in: .seconds(1)...Duration.seconds(86_400))
        }
        if let field = try item.optional("repeat_interval") {
            policy.repeatInterval = try field.duration(in: .seconds(60)...Duration.seconds(30 * 86_400))
        }
        if let field = try item.optional("severities") {
            var severities: Set<AlertSeverity> = []
            for entry in try field.items() { severities.insert(try entry.choice(AlertSeverity.self)) }
            if severities.isEmpty { throw field.error("name at least one severity (info, warning, critical)") }
            policy.severities = severities
        }
        if let field = try item.optional("send_resolved") { policy.sendResolved = try field.bool() }
        if let retry = try item.optional("retry") {
            try retry.allowOnly(["initial", "max"])
            if let field = try retry.optional("initial") {
                policy.retryInitial = try field.duration(in: .milliseconds(100)...Duration.seconds(3600))
            }
            if let field = try retry.optional("max") {
                policy.retryMaximum = try field.duration(in: .milliseconds(100)...Duration.seconds(86_400))
                if policy.retryMaximum < policy.retryInitial {
                    throw field.error(
                        "must be at least the initial wait (\(DurationText.describe(policy.retryInitial)))")
                }
            } else if policy.retryMaximum < policy.retryInitial {
                policy.retryMaximum = policy.retryInitial
            }
        }
    }

    // MARK: - Beacon and URLs

    /// `beacon: {device: doors-io, coil: beacon}`: a device of the site whose profile has that coil.
    private static func parseBeacon(
        _ field: YAMLField, site: SiteConfiguration
    ) throws(ConfigurationError)
        -> AlertConfiguration.Beacon
    {
        try field.allowOnly(["device", "coil"])
        let deviceField = try field.required("device")
        let deviceName = try deviceField.string()
        guard let device = site.device(named: deviceName) else {
            throw deviceField.error("no device named \"\(deviceName)\" in the site")
        }
        let coilField = try field.required("coil")
        let coil = try coilField.string()
        guard let point = device.profile.point(named: coil), point.table == .coil else {
            let coils = device.profile.points.filter { $0.table == .coil }.map(\.name)
            throw coilField.error(
                "\(deviceName)'s profile has no coil named \"\(coil)\""
                    + (coils.isEmpty ? " (it has no coils)" : " (coils: \(coils.joined(separator: ", ")))"))
        }
        return AlertConfiguration.Beacon(device: deviceName, coil: coil, address: point.address)
    }

    /// An absolute `http` or `https` URL with a host.
    static func httpURL(_ field: YAMLField) throws(ConfigurationError) -> String {
        let text = try field.nonEmptyString()
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else { throw field.error("expected an http:// or https:// URL, found \"\(text)\"") }
        return text
    }
}
