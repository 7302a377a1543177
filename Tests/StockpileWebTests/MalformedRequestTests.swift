import Foundation
import NIOHTTP1
import StockpileDomain
import StockpileWeb
import Testing

@Suite("Malformed requests: a clear 4xx with a code, never a 5xx or a dropped connection")
struct MalformedRequestTests {
    struct Case: Sendable, CustomStringConvertible {
        let method: HTTPMethod
        let path: String
        let body: Data?
        let contentType: String?
        let expected: Int?

        init(
            _ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String? = "application/json",
            expected: Int? = nil
        ) {
            self.method = method
            self.path = path
            self.body = body
            self.contentType = contentType
            self.expected = expected
        }

        var description: String { "\(method) \(path.prefix(80)) (\(body?.count ?? 0) bytes)" }
    }

    static func cases() -> [Case] {
        let huge = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        let bodies: [(Data, Int?)] = [
            (Data("{".utf8), 400), (Data("null".utf8), 400), (Data("[]".utf8), 400), (Data("\"text\"".utf8), 400),
            (Data("{\"comment\": 12}".utf8), 400), (Data([0xFF, 0xFE, 0x00]), 400), (Data(), 400), (huge, 413),
            (
                Data(
                    "{\"kind\": \"receipt\", \"lot\": \"x\", \"location\": \"bay-a1\", \"kg\": \"1e999\", \"document\": \"d\"}"
                        .utf8), 400
            ),
            (
                Data(
                    "{\"kind\": \"receipt\", \"lot\": \"x\", \"location\": \"bay-a1\", \"kg\": 1e308, \"document\": \"d\"}"
                        .utf8), 400
            ),
            (Data("{\"matchers\": [], \"duration\": \"2h\", \"comment\": \"c\"}".utf8), 400),
            (Data("{\"matchers\": [\"a=b\"], \"duration\": \"-2h\", \"comment\": \"c\"}".utf8), 400),
            (Data("{\"matchers\": [\"a=b\"], \"ends_at\": \"tomorrow\", \"comment\": \"c\"}".utf8), 400),
            (Data("{\"at\": \"2026-02-30T00:00:00Z\"}".utf8), 400), (Data("{\"window\": \"0s\"}".utf8), 400),
            (Data("{\"window\": \"nan\"}".utf8), 400), (Data("{\"location\": \"../../etc\"}".utf8), 404),
        ]
        var cases: [Case] = []
        for path in [
            "/api/v1/alerts/1/ack", "/api/v1/silences", "/api/v1/ledger/transactions", "/api/v1/reconciliation",
        ] {
            for (body, expected) in bodies {
                cases.append(Case(.POST, path, body: body, expected: expected == 413 ? 413 : nil))
            }
        }
        let badTimes = [
            "yesterday", "2026-13-01T00:00:00Z", "2026-12-01", "9999999999", "-1", "nan", "inf", "%00",
            "2026-12-01T25:00:00Z",
        ]
        for time in badTimes {
            let encoded = time.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? time
            for path in [
                "/api/v1/devices/bay-a1-scale/readings?point=gross&from=\(encoded)",
                "/api/v1/devices/bay-a1-scale/readings?point=gross&to=\(encoded)",
                "/api/v1/ledger/positions?at=\(encoded)", "/api/v1/ledger/transactions?from=\(encoded)",
                "/api/v1/reconciliation/report?at=\(encoded)",
            ] {
                cases.append(Case(.GET, path, expected: 400))
            }
        }
        for limit in ["0", "-1", "10001", "1e3", "99999999999999999999", "nan"] {
            cases.append(Case(.GET, "/api/v1/ledger/transactions?limit=\(limit)", expected: 400))
        }
        for path in [
            "/nothing", "/api/v1", "/api/v2/devices", "/api/v1/devices/%2e%2e%2f%2e%2e", "/api/v1/alerts/abc",
            "/api/v1/alerts/-1", "/api/v1/alerts/99999999999999999999", "/api/v1/alerts/1/ack/more",
            "/api/v1/devices/" + String(repeating: "x", count: 4000), "/api/v1/devices/bay-a1-scale/readings?point=%00",
            "/api/v1/reconciliation/report?window=1y", "/api/v1/alerts?all=maybe",
        ] {
            cases.append(Case(.GET, path))
        }
        for (method, path) in [
            (HTTPMethod.PUT, "/api/v1/devices"), (.DELETE, "/api/v1/alerts/1"), (.PATCH, "/api/v1/silences"),
        ] {
            cases.append(Case(method, path, body: Data("{}".utf8)))
        }
        cases.append(
            Case(
                .POST, "/api/v1/silences", body: Data("matchers=a".utf8),
                contentType: "application/x-www-form-urlencoded"))
        return cases
    }

    @Test("the sweep: every answer a 4xx with a JSON code, and the server still answers afterwards")
    func sweep() async throws {
        try await WebFixture.with { fixture in
            let admin = try #require(fixture.tokens[.admin])
            for item in Self.cases() {
                var headers: [(String, String)] = []
                if let type = item.contentType { headers.append(("Content-Type", type)) }
                let answer = try await fixture.request(
                    item.method, item.path, token: admin, body: item.body, headers: headers)
                #expect((400..<500).contains(answer.status), "\(item): \(answer.status) \(answer.text.prefix(200))")
                if let expected = item.expected {
                    #expect(answer.status == expected, "\(item): \(answer.text.prefix(200))")
                }
                let code = (try? answer.object())?["code"] as? String
                #expect(code?.isEmpty == false, "\(item): no JSON code in \(answer.text.prefix(200))")
            }
            #expect(try await fixture.request("/api/v1/devices").status == 200)
            #expect(try await fixture.database.storedTransactions().count == 6)
        }
    }
}
