import StockpileDomain
import StockpileTestSupport
import Testing

/// The site file's `locations` section: places counted by hand. Lines count from `site:` as line 1.
@Suite("Site file: manual locations")
struct ManualLocationSiteTests {
    static func site(_ locations: String) -> String {
        """
        site:
          id: t
          name: Test site
        data_directory: data
        tcp:
          - {name: main, host: 127.0.0.1, port: 1502}
        devices:
          - name: scale-1
            profile: scales/laumas-tlu.yaml
            bus: main
            unit: 1
            location: {name: bay-1, capacity: 5000, division: 1, class: III}
            zone: bay
        locations:
        \(locations)
        """
    }

    static func parse(_ locations: String) throws(ConfigurationError) -> SiteConfiguration {
        try SiteLoader.parse(site(locations), file: "site.yaml", profileDirectories: [ShippedProfiles.directory])
    }

    @Test("a manual location is a ledger location after the scale bays, with its counting scale's metrology")
    func parsed() throws {
        let site = try Self.parse("  - {name: cage-1, capacity: 600, division: 0.2, class: III, zone: vault}")
        #expect(site.manualLocations.map(\.name) == ["cage-1"])
        let locations = site.ledgerLocations
        #expect(locations.map(\.name) == ["bay-1", "cage-1"])
        #expect(locations.map(\.kind) == [.scale, .manual])
        #expect(locations[0].device == "scale-1")
        #expect(locations[0].zone == "bay")
        #expect(locations[1].zone == "vault")
        #expect(locations[1].metrology.division == 0.2)
    }

    @Test(
        "mistakes are reported at file:line:field",
        arguments: [
            ("  - {name: bay-1, capacity: 600, division: 0.2, class: III}", "site.yaml:15: locations[0].name:"),
            ("  - {name: cage-1, capacity: 600, division: 0.3, class: III}", "site.yaml:15: locations[0].division:"),
            ("  - {name: cage-1, capacity: 600, division: 0.2, class: V}", "site.yaml:15: locations[0].class:"),
            ("  - {name: cage-1, division: 0.2, class: III}", "site.yaml:15: locations[0].capacity:"),
            (
                "  - {name: cage-1, capacity: 600, division: 0.2, class: III, scale: x}",
                "site.yaml:15: locations[0].scale:"
            ),
            (
                "  - {name: cage-1, capacity: 600, division: 0.2, class: III}\n  - {name: cage-1, capacity: 600, "
                    + "division: 0.2, class: III}", "site.yaml:16: locations[1].name:"
            ),
        ])
    func mistakes(text: String, prefix: String) {
        do {
            _ = try Self.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix(prefix), "\(error)")
        }
    }
}
