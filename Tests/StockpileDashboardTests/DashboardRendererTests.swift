import Foundation
import StockpileTestSupport
import Testing

@testable import StockpileDashboard

@Suite("DashboardRenderer")
struct DashboardRendererTests {
    let renderer: DashboardRenderer

    init() throws {
        renderer = try DashboardRenderer()
    }

    /// Every page the renderer makes, in the variants that change what is on it.
    var everyPage: [(name: String, html: String)] {
        var emptyDevice = DemoPages.device(series: [])
        emptyDevice.chart.point = nil
        return [
            ("overview, anonymous", renderer.overview(DemoPages.overview())),
            ("overview, operator", renderer.overview(DemoPages.overview(role: "operator", name: "a.ops"))),
            (
                "overview, empty",
                renderer.overview(
                    OverviewPage(chrome: DemoPages.chrome("Overview"), bays: [], zones: [], devices: [], alerts: []))
            ),
            ("device", renderer.device(DemoPages.device())),
            ("device, no data", renderer.device(emptyDevice)),
            ("reconciliation", renderer.reconciliation(DemoPages.reconciliation(at: "2026-12-01T00:00:00Z"))),
            (
                "reconciliation, none",
                renderer.reconciliation(ReconciliationPage(chrome: DemoPages.chrome("Reconciliation"), report: nil))
            ),
            (
                "sign-in",
                renderer.signIn(SignInPage(chrome: DemoPages.chrome("Sign in"), errorMessage: "unknown token"))
            ),
            (
                "problem",
                renderer.problem(
                    ProblemPage(chrome: DemoPages.chrome("Not found"), status: 404, text: "No such device"))
            ),
        ]
    }

    @Test("the overview shows each bay with its lots, book, physical and variance, and its status as word and colour")
    func overviewBays() throws {
        let html = renderer.overview(DemoPages.overview())
        let a1 = try #require(HTMLText.fragment(html, from: "data-bay=\"bay-a1\"", to: "</article>"))
        #expect(a1.contains("<h3>bay-a1</h3>"))
        #expect(a1.contains("<dd data-field=\"book\">24500.0 kg</dd>"))
        #expect(a1.contains("<dd data-field=\"physical\">24512.3 kg</dd>"))
        #expect(a1.contains("<dd data-field=\"variance\">+12.3 kg</dd>"))
        #expect(a1.contains("L-2026-0412"))
        #expect(a1.contains("NDPR-OX · NdPr oxide"))
        #expect(a1.contains("zone-a · scale-a1"))
        #expect(a1.contains("<span class=\"badge tone-green\" data-field=\"status\">within tolerance</span>"))
        let expected: [(String, String, String)] = [
            ("bay-a2", "green", "ok"), ("bay-a3", "grey", "not counted"), ("bay-b1", "red", "shortage"),
            ("bay-b2", "amber", "moisture gain"), ("bay-b3", "grey", "scale offline"),
        ]
        for (bay, tone, word) in expected {
            let card = try #require(HTMLText.fragment(html, from: "data-bay=\"\(bay)\"", to: "</article>"))
            #expect(card.contains("data-field=\"status\">\(word)</span>"), "\(bay)")
            #expect(html.contains("<article class=\"card bay tone-\(tone)\" data-bay=\"\(bay)\">"), "\(bay)")
        }
        let a3 = try #require(HTMLText.fragment(html, from: "data-bay=\"bay-a3\"", to: "</article>"))
        #expect(a3.contains("counted by hand"))
        #expect(a3.contains("<dd data-field=\"physical\">—</dd>"))
        let b3 = try #require(HTMLText.fragment(html, from: "data-bay=\"bay-b3\"", to: "</article>"))
        #expect(b3.contains("No lots"))
    }

    @Test("every status maps to the colour the issue gives it")
    func statusTones() {
        let tones = Dictionary(uniqueKeysWithValues: StockStatus.allCases.map { ($0, $0.tone) })
        #expect(
            tones == [
                .ok: .green, .withinTolerance: .green, .moistureGain: .amber, .shortage: .red, .overage: .red,
                .scaleOffline: .grey, .noStableReading: .grey, .notCounted: .grey, .unknown: .grey,
            ])
    }

    @Test("zones show temperature and humidity with one decimal, and a 24 h sparkline with min and max")
    func overviewZones() throws {
        let html = renderer.overview(DemoPages.overview())
        let zone = try #require(HTMLText.fragment(html, from: "data-zone=\"zone-a\"", to: "</article>"))
        #expect(zone.contains("<dd data-field=\"temperature\">18.4 °C</dd>"))
        #expect(zone.contains("<dd data-field=\"humidity\">61.3 %RH</dd>"))
        #expect(zone.contains("min 16.5 °C · max 19.5 °C"))
        #expect(zone.contains("min 54.0 %RH · max 62.0 %RH"))
        #expect(HTMLText.count("<svg viewBox=\"0 0 240 48\"", in: zone) == 2)
        // zone-b's humidity has a two-hour outage: two runs, so two polylines in that sparkline.
        let zoneB = try #require(HTMLText.fragment(html, from: "data-zone=\"zone-b\"", to: "</article>"))
        let humidity = try #require(HTMLText.fragment(zoneB, from: "Humidity, 24 h", to: "</svg>"))
        #expect(HTMLText.count("<polyline class=\"line\"", in: humidity) == 2)
        #expect(!zone.contains("<polygon"), "a sparkline of means has no band")
    }

    @Test("devices link to their page with the name percent-escaped, with health and age")
    func overviewDevices() throws {
        let html = renderer.overview(DemoPages.overview())
        #expect(html.contains("<a href=\"/devices/climate%20a%2F1\">climate a/1</a>"))
        let b3 = try #require(HTMLText.fragment(html, from: "data-device=\"scale-b3\"", to: "</tr>"))
        #expect(b3.contains("<span class=\"badge tone-red\">offline</span>"))
        #expect(b3.contains("<td class=\"number\">2 h</td>"))
        let b1 = try #require(HTMLText.fragment(html, from: "data-device=\"scale-b1\"", to: "</tr>"))
        #expect(b1.contains("tone-amber\">degraded") && b1.contains(">45 s<"))
    }

    @Test("an operator gets an acknowledge form with a comment box and the CSRF token; others a hint")
    func acknowledgeForms() throws {
        let anonymous = renderer.overview(DemoPages.overview())
        #expect(!anonymous.contains("/alerts/41/ack"))
        #expect(HTMLText.count("Sign in as operator to acknowledge.", in: anonymous) == 1)
        #expect(anonymous.contains("<a href=\"/login\">Sign in</a>"))
        #expect(!anonymous.contains("action=\"/logout\""))

        let signedIn = renderer.overview(DemoPages.overview(role: "operator", name: "a.ops"))
        let alert = try #require(HTMLText.fragment(signedIn, from: "data-alert=\"41\"", to: "</article>"))
        let form = try #require(HTMLText.fragment(alert, from: "<form", to: "</form>"))
        #expect(form.contains("method=\"post\" action=\"/alerts/41/ack\""))
        #expect(form.contains("<textarea name=\"comment\""))
        #expect(form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-7f3a9c\">"))
        #expect(!signedIn.contains("Sign in as operator"))
        #expect(signedIn.contains("<strong>a.ops</strong> (operator)"))
        // Only the firing alert can be acknowledged; the acknowledged one shows who and why.
        #expect(HTMLText.count("/ack\"", in: signedIn) == 1)
        let acknowledged = try #require(HTMLText.fragment(signedIn, from: "data-alert=\"38\"", to: "</article>"))
        #expect(acknowledged.contains("Acknowledged by <strong>m.keller</strong>: <q>Dehumidifier started</q>"))
        #expect(!acknowledged.contains("<form"))
        #expect(alert.contains("<span class=\"badge tone-red\">critical</span>"))
        #expect(alert.contains("<li>location=bay-b1</li>\n<li>rule=reconciliation_outside_tolerance</li>"))
        #expect(alert.contains("Since <time datetime=\"2026-12-02T05:48:00Z\">2026-12-02 05:48:00 UTC</time>"))
    }

    @Test("every form that posts carries the CSRF token, on every page")
    func csrfInEveryPostForm() {
        for (name, html) in everyPage {
            let forms = HTMLText.matches("<form[^>]*method=\"post\".*?</form>", in: html)
            for form in forms {
                #expect(
                    form.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-7f3a9c\">"), "\(name): \(form)")
            }
            #expect(
                HTMLText.count("<form", in: html) == forms.count + HTMLText.count("method=\"get\"", in: html), "\(name)"
            )
        }
        let operatorPage = renderer.overview(DemoPages.overview(role: "operator", name: "a.ops"))
        #expect(HTMLText.matches("<form[^>]*method=\"post\".*?</form>", in: operatorPage).count == 2)
    }

    @Test("no page refers to anything outside the agent: no http(s) URL, no protocol-relative src or href")
    func noExternalURLs() {
        for (name, html) in everyPage {
            #expect(!html.contains("http://"), "\(name)")
            #expect(!html.contains("https://"), "\(name)")
            #expect(HTMLText.matches("(src|href|action)\\s*=\\s*[\"']?//", in: html).isEmpty, "\(name)")
            #expect(!html.contains("<link"), "\(name)")
            #expect(!html.contains(" src="), "\(name)")
        }
    }

    @Test("a label <script>alert(1)</script> and quotes in any value come out escaped")
    func escapesEverything() {
        let hostile = "<script>alert(1)</script>"
        let quote = "\" onmouseover=\"x"
        var overview = DemoPages.overview(role: "operator", name: hostile)
        overview.chrome.siteName = hostile
        overview.chrome.csrfToken = quote
        overview.bays[0].location = hostile
        overview.bays[0].lots[0].materialName = hostile
        overview.zones[0].name = hostile
        overview.devices[0].label = hostile
        overview.devices[1].name = quote
        overview.alerts[0].summary = hostile
        overview.alerts[0].labels["x"] = hostile
        overview.alerts[0].id = quote
        overview.alerts[1].acknowledgedComment = hostile
        var device = DemoPages.device()
        device.label = hostile
        device.points[1].value = .text(hostile)
        device.healthHistory[0].reason = hostile
        device.chart.pointNames.append(quote)
        var reconciliation = DemoPages.reconciliation(at: quote)
        reconciliation.report?.rows[0].toleranceRule = hostile
        reconciliation.report?.cutOff?.document = hostile
        let pages = [
            renderer.overview(overview), renderer.device(device), renderer.reconciliation(reconciliation),
            renderer.signIn(SignInPage(chrome: overview.chrome, errorMessage: hostile)),
            renderer.problem(ProblemPage(chrome: overview.chrome, status: 404, text: hostile)),
        ]
        for html in pages {
            #expect(!html.contains(hostile))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains(quote))
            // The layout's refresh script is the only script on the page.
            #expect(HTMLText.count("<script", in: html) == 1)
        }
        #expect(pages[0].contains("value=\"&quot; onmouseover=&quot;x\""))
        #expect(pages[0].contains("action=\"/alerts/%22%20onmouseover%3D%22x/ack\""))
    }

    @Test("the templates never use Mustache's unescaped forms")
    func templatesEscape() throws {
        let directory = repository.appendingPathComponent("Sources/StockpileDashboard/Templates")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".mustache")
        }
        #expect(Set(files) == Set(DashboardRenderer.templateNames.map { "\($0).mustache" }))
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("{{{"), "\(file)")
            #expect(!text.contains("{{&"), "\(file)")
        }
    }

    @Test("the layout is one responsive page: viewport, print rules, the refresh script and its interval")
    func layout() {
        let html = renderer.overview(DemoPages.overview())
        #expect(html.hasPrefix("<!DOCTYPE html>") || html.contains("\n<!DOCTYPE html>"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains("@media print"))
        #expect(html.contains("<body data-page=\"overview\" data-refresh=\"10\">"))
        #expect(html.contains("new DOMParser()"))
        #expect(html.contains("<title>Overview · Hafen Nord reserve</title>"))
        #expect(html.contains("<a href=\"/\" aria-current=\"page\">Overview</a>"))
        #expect(html.contains("<a href=\"/reconciliation\">Reconciliation</a>"))
        #expect(html.contains("<time data-generated datetime=\"2026-12-02T06:00:00Z\">2026-12-02 06:00:00 UTC</time>"))
        #expect(HTMLText.count("<main", in: html) == 1)
        let signIn = renderer.signIn(SignInPage(chrome: DemoPages.chrome("Sign in")))
        #expect(signIn.contains("data-refresh=\"0\""))
    }

    @Test("a device page lists every point with value, unit, quality and age, and its health history")
    func devicePoints() throws {
        let html = renderer.device(DemoPages.device())
        let weight = try #require(HTMLText.fragment(html, from: "data-point=\"gross_weight\"", to: "</tr>"))
        #expect(weight.contains(">24512.3 kg<") && weight.contains("tone-green\">good<") && weight.contains(">2 s<"))
        let status = try #require(HTMLText.fragment(html, from: "data-point=\"status\"", to: "</tr>"))
        #expect(status.contains(">stable<"))
        let temperature = try #require(HTMLText.fragment(html, from: "data-point=\"temperature\"", to: "</tr>"))
        #expect(temperature.contains(">12.1 °C<") && temperature.contains("tone-amber\">uncertain<"))
        #expect(temperature.contains(">3 min<"))
        let serial = try #require(HTMLText.fragment(html, from: "data-point=\"serial\"", to: "</tr>"))
        #expect(serial.contains(">—<") && serial.contains(">stale<"))
        #expect(html.contains("3 polls unanswered"))
        #expect(html.contains("<time datetime=\"2026-12-02T05:10:00Z\">2026-12-02 05:10:00 UTC</time>"))
        #expect(html.contains("<dd>scales/pw-20t</dd>") && html.contains("<dd>line-1</dd>"))
    }

    @Test("a device's chart: a GET form for point and range, the mean line in a min-max band, labelled axes")
    func deviceChart() throws {
        let html = renderer.device(DemoPages.device())
        let form = try #require(HTMLText.fragment(html, from: "<form class=\"chart-form\"", to: "</form>"))
        #expect(form.contains("method=\"get\""))
        #expect(form.contains("<option value=\"gross_weight\" selected>gross_weight</option>"))
        #expect(form.contains("<option value=\"temperature\">temperature</option>"))
        #expect(form.contains("<option value=\"1h\" selected>1h</option>"))
        for range in ["6h", "24h", "7d", "30d"] { #expect(form.contains("<option value=\"\(range)\">")) }
        let chart = try #require(HTMLText.fragment(html, from: "<figure class=\"chart\">", to: "</figure>"))
        #expect(chart.contains("<svg viewBox=\"0 0 800 240\""))
        #expect(chart.contains("<polygon class=\"band\""))
        #expect(chart.contains("<polyline class=\"line\""))
        #expect(chart.contains("max 24516.5 kg") && chart.contains("min 24507.5 kg"))
        #expect(chart.contains("<span>05:00</span><span>06:00</span>"))
        #expect(!chart.contains("No data in this range."))

        var week = DemoPages.device()
        week.chart.range = .week
        let weekChart = try #require(
            HTMLText.fragment(renderer.device(week), from: "<figure class=\"chart\">", to: "</figure>"))
        #expect(weekChart.contains("<span>11-25 06:00</span><span>12-02 06:00</span>"))

        let empty = renderer.device(DemoPages.device(series: []))
        let nothing = try #require(HTMLText.fragment(empty, from: "<figure class=\"chart\">", to: "</figure>"))
        #expect(nothing.contains("No data in this range."))
        #expect(!nothing.contains("<svg"))
    }

    @Test("the reconciliation page: as-of, cut-off, hash, rows, totals, and the three downloads keeping at=")
    func reconciliationReport() throws {
        let html = renderer.reconciliation(DemoPages.reconciliation(at: "2026-12-01T00:00:00Z"))
        #expect(html.contains("data-field=\"as-of\">2026-12-02 05:55:00 UTC</time>"))
        #expect(html.contains("2026-12-02 01:00:00 UTC</time>, document <code>GR-2026-11-0087</code>"))
        #expect(html.contains("data-field=\"sha256\">\(DemoPages.report.sha256)</code>"))
        #expect(html.contains("<dd data-field=\"discrepancies\">2</dd>"))
        for format in ["html", "csv", "json"] {
            #expect(
                html.contains("href=\"/api/v1/reconciliation/report?format=\(format)&amp;at=2026-12-01T00%3A00%3A00Z\"")
            )
        }
        let b1 = try #require(HTMLText.fragment(html, from: "data-location=\"bay-b1\"", to: "</tr>"))
        #expect(b1.contains(">30000.0 kg<") && b1.contains(">29412.5 kg<") && b1.contains(">-587.5 kg<"))
        #expect(
            b1.contains(">-1.96 %<") && b1.contains(">± 30.0 kg<") && b1.contains("OIML R76 class III, 3 d at 30 t"))
        #expect(b1.contains("tone-red\">shortage<"))
        let ndpr = try #require(HTMLText.fragment(html, from: "data-material=\"NDPR-OX NdPr oxide\"", to: "</tr>"))
        #expect(ndpr.contains(">36500.0 kg<") && ndpr.contains(">36692.7 kg<") && ndpr.contains(">+192.7 kg<"))

        let latest = renderer.reconciliation(DemoPages.reconciliation())
        #expect(latest.contains("href=\"/api/v1/reconciliation/report?format=csv\""))
        var noBook = DemoPages.reconciliation()
        noBook.report?.cutOff = nil
        #expect(renderer.reconciliation(noBook).contains("data-field=\"cut-off\">no transactions</dd>"))
    }

    @Test("without a report the page says so and offers no downloads")
    func noReport() {
        let html = renderer.reconciliation(ReconciliationPage(chrome: DemoPages.chrome("Reconciliation"), report: nil))
        #expect(html.contains("No report yet."))
        #expect(!html.contains("/api/v1/reconciliation/report"))
    }

    @Test("the sign-in page asks for a token in a password field and shows the last error")
    func signIn() throws {
        let html = renderer.signIn(
            SignInPage(chrome: DemoPages.chrome("Sign in"), errorMessage: "That token is not valid."))
        let form = try #require(
            HTMLText.fragment(html, from: "<form method=\"post\" action=\"/login\">", to: "</form>"))
        #expect(form.contains("<input type=\"password\" name=\"token\""))
        #expect(form.contains("name=\"csrf\" value=\"csrf-7f3a9c\""))
        #expect(html.contains("<p class=\"error\" role=\"alert\">That token is not valid.</p>"))
        #expect(!renderer.signIn(SignInPage(chrome: DemoPages.chrome("Sign in"))).contains("role=\"alert\""))
    }

    @Test("problem pages show the status, its reason and the text")
    func problems() {
        let missing = renderer.problem(
            ProblemPage(chrome: DemoPages.chrome("Not found"), status: 404, text: "No device scale-z9."))
        #expect(missing.contains("<span data-field=\"status\">404</span> Not found</h1>"))
        #expect(missing.contains("<p data-field=\"text\">No device scale-z9.</p>"))
        let forbidden = renderer.problem(
            ProblemPage(chrome: DemoPages.chrome("Not allowed"), status: 403, text: "Operators only."))
        #expect(forbidden.contains("403</span> Not allowed</h1>"))
    }

    @Test("a template with a syntax error is named with its line and column")
    func brokenTemplate() throws {
        let directory = try Self.copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "line one\n<p>{{#bays}}unclosed</p>\n".write(
            to: directory.appendingPathComponent("overview.mustache"), atomically: true, encoding: .utf8)
        let error = try #require(throws: DashboardTemplateError.self) { try DashboardRenderer(templates: directory) }
        #expect(error.template == "overview")
        #expect(error.kind == .syntax)
        #expect(error.line != nil)
        #expect(error.description.hasPrefix("Templates/overview.mustache:"))
    }

    @Test("a missing template is named")
    func missingTemplate() throws {
        let directory = try Self.copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("problem.mustache"))
        let error = try #require(throws: DashboardTemplateError.self) { try DashboardRenderer(templates: directory) }
        #expect(error.template == "problem")
        #expect(error.kind == .missing)
    }

    static func copyOfTemplates() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-templates-\(UUID())")
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("Sources/StockpileDashboard/Templates"), to: directory)
        return directory
    }
}
