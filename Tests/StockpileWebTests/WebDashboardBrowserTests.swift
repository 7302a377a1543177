import Foundation
import StockpileTestSupport
import Testing

/// The agent's dashboard in a real browser: Debian's headless Chromium loads the pages the real server renders
/// from the demo warehouse's site, ledger and a store holding its readings and alerts, and the test reads the
/// DOM the browser ends with (after its scripts ran). Screenshots go to `.build/screenshots/` for people.
@Suite("WebDashboardBrowserTests", .serialized)
struct WebDashboardBrowserTests {
    static let screenshots = repository.appendingPathComponent(".build/screenshots")

    /// The text a person reads: tags dropped, entities decoded, white space collapsed.
    static func text(_ html: String) -> String {
        var text = html.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The DOM from the element whose start tag holds `marker` up to the first `closing` after it.
    static func element(in dom: String, _ marker: String, to closing: String) throws -> String {
        let found = try #require(dom.range(of: marker), "no \(marker) in the DOM")
        let start = dom[..<found.lowerBound].lastIndex(of: "<") ?? found.lowerBound
        let end = try #require(
            dom.range(of: closing, range: found.upperBound..<dom.endIndex), "no \(closing) after \(marker)")
        return String(dom[start..<end.upperBound])
    }

    @Test("the overview: the six bays with book, physical and status, bay B1 25 kg short, the zones and the alerts")
    func overview() async throws {
        let chromium = try HeadlessChromium()
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        try await WebFixture.with { fixture in
            let dom = try await chromium.dumpDOM(url: fixture.base + "/")
            for bay in ["bay-a1", "bay-a2", "bay-a3", "bay-b1", "bay-b2", "bay-b3"] {
                #expect(dom.contains("data-bay=\"\(bay)\""), "\(bay) is not on the page")
            }
            let b1 = Self.text(try Self.element(in: dom, "data-bay=\"bay-b1\"", to: "</article>"))
            #expect(b1.contains("shortage"), "\(b1)")
            #expect(b1.contains("696.0 kg") && b1.contains("671.0 kg") && b1.contains("-25.0 kg"), "\(b1)")
            #expect(b1.contains("DY-2026-027"), "\(b1)")
            let a1 = Self.text(try Self.element(in: dom, "data-bay=\"bay-a1\"", to: "</article>"))
            #expect(a1.contains("ok") && a1.contains("2376.0 kg"), "\(a1)")
            let page = Self.text(dom)
            #expect(page.contains("bay-b humidity 66 %RH above 60"))
            #expect(page.contains("zone-c-climate offline"))
            #expect(page.contains("58.5 %RH"), "the bay B humidity")
            #expect(dom.contains("data-refreshed=\"ready\""), "the refresh script did not run")
            let shot = Self.screenshots.appendingPathComponent("agent-overview.png").path
            try await chromium.screenshot(url: fixture.base + "/", to: shot, width: 1600, height: 1800)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: shot))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 10_000)
        }
    }

    @Test("the reconciliation page: its cut-off, its hash as the API computes it, bay B1's row and the downloads")
    func reconciliation() async throws {
        let chromium = try HeadlessChromium()
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        try await WebFixture.with { fixture in
            let dom = try await chromium.dumpDOM(url: fixture.base + "/reconciliation")
            let page = Self.text(dom)
            #expect(page.contains("OB-2026-006"), "the cut-off's document")
            let b1 = Self.text(try Self.element(in: dom, "data-location=\"bay-b1\"", to: "</tr>"))
            #expect(b1.contains("696.0 kg") && b1.contains("671.0 kg") && b1.contains("shortage"), "\(b1)")
            for format in ["html", "csv", "json"] {
                #expect(dom.contains("/api/v1/reconciliation/report?format=\(format)"), "\(format) download")
            }
            let digest = try #require(
                dom.range(of: "[0-9a-f]{64}", options: .regularExpression).map { String(dom[$0]) })
            let shot = Self.screenshots.appendingPathComponent("agent-reconciliation.png").path
            try await chromium.screenshot(url: fixture.base + "/reconciliation", to: shot, width: 1280, height: 1100)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: shot))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 10_000)
            // The hash on the page is the report's: the JSON download of the same instant carries it.
            let report = try await fixture.request("/api/v1/reconciliation/report?at=\(fixture.nowText)")
            #expect(try report.object()["content_sha256"] as? String == digest)
        }
    }
}
