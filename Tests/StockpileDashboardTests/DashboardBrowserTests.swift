import Foundation
import StockpileDashboard
import StockpileTestSupport
import Testing

/// The pages in a real browser: Debian's headless Chromium loads them from a loopback server, and the
/// tests read the DOM it ends with (after its scripts ran), not pixels. `make test` runs this suite in a
/// process of its own. Screenshots go to `.build/screenshots/` for people to look at.
@Suite("DashboardBrowserTests", .serialized)
struct DashboardBrowserTests {
    static let screenshots = repository.appendingPathComponent(".build/screenshots")

    let chromium: HeadlessChromium
    let renderer: DashboardRenderer

    init() throws {
        chromium = try HeadlessChromium()
        renderer = try DashboardRenderer()
    }

    /// The text a person reads in a piece of the DOM: inline tags dropped, block tags a space, entities
    /// for <, >, & and quotes decoded, white space collapsed.
    static func text(_ html: some StringProtocol) -> String {
        var text = String(html).replacingOccurrences(
            of: "</?(span|strong|q|time|code|a|em|b|i)\\b[^>]*>", with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The text of the element whose start tag holds `marker`, up to the first `closing` after it.
    static func text(in dom: String, from marker: String, to closing: String) throws -> String {
        let found = try #require(dom.range(of: marker), "no \(marker) in the DOM")
        let start = dom[..<found.lowerBound].lastIndex(of: "<") ?? found.lowerBound
        let end = try #require(dom.range(of: closing, range: found.upperBound..<dom.endIndex), "no \(closing)")
        return text(dom[start..<end.upperBound])
    }

    @Test("Chromium shows the overview's bays with their weights, the zones, and the alert; the script ran")
    func overviewInTheBrowser() async throws {
        let html = renderer.overview(DemoPages.overview(role: "operator", name: "a.ops"))
        let dom = try await PageServer.run(["/": { _ in html }]) { server in
            try await chromium.dumpDOM(url: server.url("/"))
        }
        #expect(HTMLText.count("<article class=\"card bay", in: dom) == 6)
        let a1 = try Self.text(in: dom, from: "data-bay=\"bay-a1\"", to: "</article>")
        #expect(a1.contains("bay-a1 within tolerance"))
        #expect(a1.contains("Book 24500.0 kg Physical 24512.3 kg Variance +12.3 kg"))
        #expect(a1.contains("L-2026-0412 NDPR-OX · NdPr oxide"))
        let b1 = try Self.text(in: dom, from: "data-bay=\"bay-b1\"", to: "</article>")
        #expect(b1.contains("bay-b1 shortage"))
        #expect(b1.contains("Book 30000.0 kg Physical 29412.5 kg Variance -587.5 kg"))
        let b2 = try Self.text(in: dom, from: "data-bay=\"bay-b2\"", to: "</article>")
        #expect(b2.contains("moisture gain") && b2.contains("Physical 12180.4 kg"))
        let zone = try Self.text(in: dom, from: "data-zone=\"zone-a\"", to: "</article>")
        #expect(zone.contains("Temperature 18.4 °C Humidity 61.3 %RH"))
        let alert = try Self.text(in: dom, from: "data-alert=\"41\"", to: "</article>")
        #expect(alert.contains("bay-b1 is 587.5 kg short of the book critical firing"))
        #expect(alert.contains("Comment Acknowledge"))
        let acknowledged = try Self.text(in: dom, from: "data-alert=\"38\"", to: "</article>")
        #expect(acknowledged.contains("Acknowledged by m.keller: Dehumidifier started"))
        #expect(dom.contains("data-refreshed=\"ready\""), "the refresh script did not run, or replaced main")
        #expect(HTMLText.count("<main", in: dom) == 1)
    }

    @Test("Chromium shows the reconciliation report with its cut-off, hash, rows and downloads")
    func reconciliationInTheBrowser() async throws {
        let html = renderer.reconciliation(DemoPages.reconciliation())
        let dom = try await PageServer.run(["/reconciliation": { _ in html }]) { server in
            try await chromium.dumpDOM(url: server.url("/reconciliation"))
        }
        let facts = try Self.text(in: dom, from: "<dl class=\"facts\">", to: "</dl>")
        #expect(facts.contains("As of 2026-12-02 05:55:00 UTC"))
        #expect(facts.contains("Book cut-off 2026-12-02 01:00:00 UTC, document GR-2026-11-0087"))
        #expect(facts.contains("Report SHA-256 \(DemoPages.report.sha256)"))
        let b1 = try Self.text(in: dom, from: "data-location=\"bay-b1\"", to: "</tr>")
        #expect(
            b1 == "bay-b1 30000.0 kg 29412.5 kg — -587.5 kg -1.96 % ± 30.0 kg OIML R76 class III, 3 d at 30 t shortage")
        let downloads = try Self.text(in: dom, from: "<ul class=\"downloads\"", to: "</ul>")
        #expect(downloads == "HTML CSV JSON")
        #expect(dom.contains("href=\"/api/v1/reconciliation/report?format=json\""))
        #expect(dom.contains("data-refreshed=\"ready\""))
    }

    @Test("the refresh script replaces main's children in place when the page changed")
    func refreshReplacesMain() async throws {
        let first = renderer.overview(DemoPages.overview(refreshSeconds: 1))
        var changed = DemoPages.overview(refreshSeconds: 1)
        changed.bays[0].physicalKg = 24_600
        let second = renderer.overview(changed)
        let (dom, requests) = try await PageServer.run(["/": { $0 == 0 ? first : second }]) { server in
            (try await chromium.dumpDOM(url: server.url("/")), server.requests("/"))
        }
        #expect(requests >= 2, "the script never fetched the page again")
        let a1 = try Self.text(in: dom, from: "data-bay=\"bay-a1\"", to: "</article>")
        #expect(a1.contains("Physical 24600.0 kg"))
        // Later fetches brought the same page: replaced once, not on every fetch.
        #expect(dom.contains("data-refreshed=\"replaced 1\""))
        #expect(HTMLText.count("<main", in: dom) == 1)
    }

    @Test("when a refresh fails, main stays and a banner says the figures are not current")
    func refreshFailureShowsTheBanner() async throws {
        let first = renderer.overview(DemoPages.overview(refreshSeconds: 1))
        let (dom, requests) = try await PageServer.run(["/": { $0 == 0 ? first : nil }]) { server in
            (try await chromium.dumpDOM(url: server.url("/")), server.requests("/"))
        }
        #expect(requests >= 2)
        #expect(dom.contains("data-stale=\"true\""))
        let banner = try #require(HTMLText.fragment(dom, from: "<p class=\"stale-banner\"", to: ">"))
        #expect(!banner.contains("hidden"), "the banner is still hidden: \(banner)")
        let a1 = try Self.text(in: dom, from: "data-bay=\"bay-a1\"", to: "</article>")
        #expect(a1.contains("Physical 24512.3 kg"))
        #expect(dom.contains("data-refreshed=\"ready\""))
    }

    @Test(
        "the refresh script leaves main alone while a field in it holds typed text or has focus",
        arguments: [
            ("typed", "document.querySelector('main textarea').value = 'checking the scale';"),
            ("focused", "document.querySelector('main textarea').focus();"),
        ])
    func refreshWaitsForTheOperator(field: String, script: String) async throws {
        let page = renderer.overview(DemoPages.overview(role: "operator", name: "a.ops", refreshSeconds: 1))
        // What a person would do, done by a script the test adds after the page's own.
        let first = page.replacingOccurrences(
            of: "</body>", with: "<script>\(script) document.body.dataset.field = '\(field)';</script></body>")
        var changed = DemoPages.overview(role: "operator", name: "a.ops", refreshSeconds: 1)
        changed.bays[0].physicalKg = 24_600
        let second = renderer.overview(changed)
        let (dom, requests) = try await PageServer.run(["/": { $0 == 0 ? first : second }]) { server in
            (try await chromium.dumpDOM(url: server.url("/")), server.requests("/"))
        }
        #expect(dom.contains("data-field=\"\(field)\""), "the test's script did not run")
        #expect(requests == 1, "the script fetched while the field was \(field)")
        let a1 = try Self.text(in: dom, from: "data-bay=\"bay-a1\"", to: "</article>")
        #expect(a1.contains("Physical 24512.3 kg"))
        #expect(dom.contains("data-refreshed=\"ready\""))
    }

    @Test("screenshots of the overview and the reconciliation page are PNGs in .build/screenshots")
    func screenshots() async throws {
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        let overview = renderer.overview(DemoPages.overview(role: "operator", name: "a.ops"))
        let reconciliation = renderer.reconciliation(DemoPages.reconciliation())
        let device = renderer.device(DemoPages.device())
        let shots: [(path: String, file: String, width: Int, height: Int)] = [
            ("/", "overview.png", 1920, 2200), ("/reconciliation", "reconciliation.png", 1280, 900),
            ("/", "overview-phone.png", 360, 3600), ("/devices/scale-a1", "device.png", 1280, 1200),
        ]
        try await PageServer.run(
            ["/": { _ in overview }, "/reconciliation": { _ in reconciliation }, "/devices/scale-a1": { _ in device }]
        ) { server in
            for shot in shots {
                let file = Self.screenshots.appendingPathComponent(shot.file)
                try await chromium.screenshot(
                    url: server.url(shot.path), to: file.path, width: shot.width, height: shot.height)
            }
        }
        for shot in shots {
            let data = try Data(contentsOf: Self.screenshots.appendingPathComponent(shot.file))
            #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(shot.file)")
            #expect(data.count > 10_000, "\(shot.file) is only \(data.count) bytes")
        }
    }

    @Test("a run past its time limit is killed, and its failure says so")
    func timeLimit() async throws {
        // No browser starts and renders a page in a millisecond.
        let impatient = try HeadlessChromium(timeLimit: .milliseconds(1))
        let failure = try await #require(throws: HeadlessChromium.Failure.self) {
            _ = try await impatient.dumpDOM(url: "about:blank")
        }
        #expect(failure.description.contains("was still running after"))
    }

    @Test("a browser still waiting for its page at the time limit is killed with all its processes")
    func hungPageIsKilled() async throws {
        let listener = try SilentListener()
        let patient = try HeadlessChromium(timeLimit: .seconds(5))
        let failure = try await #require(throws: HeadlessChromium.Failure.self) {
            _ = try await patient.dumpDOM(url: "http://127.0.0.1:\(listener.port)/")
        }
        #expect(failure.description.contains("was still running after"))
        #expect(failure.description.contains("stderr:"))
        // The teardown signalled the browser's whole process group and swift-subprocess reaped it.
        #expect(processes(withCommandLineContaining: "stockpile-chromium-").isEmpty)
    }
}
