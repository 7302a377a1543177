import Foundation
import StockpileDomain
import StockpileWeb
import Testing

@Suite("The dashboard's pages through the real server: overview, device, reconciliation, signing in, acknowledging")
struct DashboardPagesTests {
    /// The value of `name="csrf"` in the first form of a page.
    static func csrf(in html: String) throws -> String {
        let marker = try #require(html.range(of: #"name="csrf" value=""#), "no csrf field")
        return String(html[marker.upperBound...].prefix { $0 != "\"" })
    }

    /// `name=value` of a Set-Cookie header.
    static func cookie(_ name: String, in answer: WebFixture.Answer) -> String? {
        answer.header("Set-Cookie").first { $0.hasPrefix("\(name)=") }?.split(separator: ";").first.map(String.init)
    }

    static func form(_ fields: [String: String]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Data(
            fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                .joined(separator: "&").utf8)
    }

    static let formType = ("Content-Type", "application/x-www-form-urlencoded")

    @Test("the overview shows every bay with book, physical and status, the zones, devices and alerts")
    func overview() async throws {
        try await WebFixture.with { fixture in
            let page = try await fixture.request("/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type").first?.hasPrefix("text/html") == true)
            #expect(page.header("Content-Security-Policy").first?.contains("default-src 'self'") == true)
            for bay in ["bay-a1", "bay-a2", "bay-a3", "bay-b1", "bay-b2", "bay-b3"] {
                #expect(page.text.contains("data-bay=\"\(bay)\""), "\(bay)")
            }
            #expect(page.text.contains("shortage"))
            #expect(page.text.contains("671.0 kg"))
            #expect(page.text.contains("bay-b humidity 66 %RH above 60"))
            #expect(page.text.contains("zone-c-climate offline"))
            // Anonymous from loopback: reading only, no acknowledge form.
            #expect(!page.text.contains("class=\"ack-form\""))
            #expect(!page.text.contains("http://") && !page.text.contains("https://"))
        }
    }

    @Test("a device page and the reconciliation page; an unknown device is a 404 page")
    func deviceAndReconciliation() async throws {
        try await WebFixture.with { fixture in
            let device = try await fixture.request("/devices/bay-b1-scale?point=gross&range=1h")
            #expect(device.status == 200)
            #expect(device.text.contains("bay-b1-scale") && device.text.contains("725.0"))
            let missing = try await fixture.request("/devices/no-such-device")
            #expect(missing.status == 404)
            #expect(missing.header("Content-Type").first?.hasPrefix("text/html") == true)
            let badRange = try await fixture.request("/devices/bay-b1-scale?range=1y")
            #expect(badRange.status == 400)
            let page = try await fixture.request("/reconciliation")
            #expect(page.status == 200)
            let json = try await fixture.request("/api/v1/reconciliation/report?at=\(UTCTimestamp.text(fixture.now))")
            let digest = try #require(try json.object()["content_sha256"] as? String)
            #expect(page.text.contains(digest))
            #expect(page.text.contains("/api/v1/reconciliation/report?format=csv"))
        }
    }

    @Test("signing in with a token gives an HTTP-only same-site session; its forms need their CSRF token")
    func signInAndAcknowledge() async throws {
        try await WebFixture.with { fixture in
            let operatorToken = try #require(fixture.tokens[.operator])
            let signIn = try await fixture.request("/login")
            #expect(signIn.status == 200)
            let loginCookie = try #require(Self.cookie("stockpile_sign_in", in: signIn))
            let loginCSRF = try Self.csrf(in: signIn.text)
            // Without the cookie's twin the form is refused; with a wrong token too.
            let stale = try await fixture.request(
                .POST, "/login", body: Self.form(["token": operatorToken, "csrf": "nope"]),
                headers: [Self.formType, ("Cookie", loginCookie)])
            #expect(stale.status == 403)
            let wrong = try await fixture.request(
                .POST, "/login", body: Self.form(["token": "spk_wrong", "csrf": loginCSRF]),
                headers: [Self.formType, ("Cookie", loginCookie)])
            #expect(wrong.status == 401)
            #expect(Self.cookie("stockpile_session", in: wrong) == nil)
            let signed = try await fixture.request(
                .POST, "/login", body: Self.form(["token": operatorToken, "csrf": loginCSRF]),
                headers: [Self.formType, ("Cookie", loginCookie)])
            #expect(signed.status == 303)
            let setCookie = try #require(signed.header("Set-Cookie").first { $0.hasPrefix("stockpile_session=") })
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            #expect(setCookie.contains("Secure"))
            let session = try #require(Self.cookie("stockpile_session", in: signed))
            let overview = try await fixture.request("/", headers: [("Cookie", session)])
            #expect(overview.text.contains("class=\"ack-form\""))
            #expect(overview.text.contains("operator-holder"))
            let csrf = try Self.csrf(in: overview.text)
            let alert = try #require(
                try await fixture.database.alerts(includeResolved: false).first { $0.rule == "bay_b_humidity" })
            let forged = try await fixture.request(
                .POST, "/alerts/\(alert.id)/ack", body: Self.form(["comment": "x", "csrf": "forged"]),
                headers: [Self.formType, ("Cookie", session)])
            #expect(forged.status == 403)
            #expect(try await fixture.database.alert(id: alert.id)?.state == .firing)
            let acknowledged = try await fixture.request(
                .POST, "/alerts/\(alert.id)/ack", body: Self.form(["comment": "dehumidifier on", "csrf": csrf]),
                headers: [Self.formType, ("Cookie", session)])
            #expect(acknowledged.status == 303)
            let stored = try await fixture.database.alert(id: alert.id)
            #expect(stored?.state == .acknowledged)
            #expect(stored?.acknowledgement?.by == "operator-holder")
            #expect(stored?.acknowledgement?.comment == "dehumidifier on")
            // The session's JSON calls carry the CSRF token in a header, or are refused.
            let noHeader = try await fixture.request(
                .POST, "/api/v1/silences", json: ["matchers": ["device=x"], "duration": "1h", "comment": "c"],
                headers: [("Cookie", session)])
            #expect(noHeader.status == 403)
            let withHeader = try await fixture.request(
                .POST, "/api/v1/silences", json: ["matchers": ["device=x"], "duration": "1h", "comment": "c"],
                headers: [("Cookie", session), ("X-CSRF-Token", csrf)])
            #expect(withHeader.status == 201)
            let out = try await fixture.request(
                .POST, "/logout", body: Self.form(["csrf": csrf]), headers: [Self.formType, ("Cookie", session)])
            #expect(out.status == 303)
            let after = try await fixture.request("/", headers: [("Cookie", session)])
            #expect(!after.text.contains("class=\"ack-form\""))
        }
    }

    @Test("a viewer's session sees the alerts but no acknowledge form, and its forged post is 403")
    func viewerCannotAcknowledge() async throws {
        try await WebFixture.with { fixture in
            let signIn = try await fixture.request("/login")
            let loginCookie = try #require(Self.cookie("stockpile_sign_in", in: signIn))
            let signed = try await fixture.request(
                .POST, "/login",
                body: Self.form([
                    "token": try #require(fixture.tokens[.viewer]), "csrf": try Self.csrf(in: signIn.text),
                ]),
                headers: [Self.formType, ("Cookie", loginCookie)])
            let session = try #require(Self.cookie("stockpile_session", in: signed))
            let overview = try await fixture.request("/", headers: [("Cookie", session)])
            #expect(overview.text.contains("bay-b humidity 66 %RH above 60"))
            #expect(!overview.text.contains("class=\"ack-form\""))
            let alert = try #require(try await fixture.database.alerts(includeResolved: false).first)
            let attempt = try await fixture.request(
                .POST, "/alerts/\(alert.id)/ack",
                body: Self.form(["comment": "x", "csrf": try Self.csrf(in: overview.text)]),
                headers: [Self.formType, ("Cookie", session)])
            #expect(attempt.status == 403)
        }
    }
}
