import Foundation
import StockpileDomain
import StockpileWeb
import Testing

@Suite("HTTP API, against the real server on a real store")
struct APITests {
    @Test("devices: health and latest values as {point, value, unit, quality, time}, numbers as numbers")
    func devices() async throws {
        try await WebFixture.with { fixture in
            let answer = try await fixture.request("/api/v1/devices")
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type").first?.hasPrefix("application/json") == true)
            let devices = try answer.array()
            #expect(devices.map { $0["name"] as? String } == fixture.site.devices.map(\.name))
            let scale = try #require(devices.first { $0["name"] as? String == "bay-b1-scale" })
            #expect((scale["health"] as? [String: Any])?["state"] as? String == "online")
            #expect(scale["location"] as? String == "bay-b1")
            let values = try #require(scale["values"] as? [[String: Any]])
            let net = try #require(values.first { $0["point"] as? String == "gross" })
            #expect(net["value"] as? Double == 725)
            #expect(net["unit"] as? String == "kg")
            #expect(net["quality"] as? String == "good")
            let time = try #require(net["time"] as? String)
            #expect(UTCTimestamp.parse(time) != nil && time.hasSuffix("Z"))
            let dock = try #require(devices.first { $0["name"] as? String == "zone-c-climate" })
            #expect((dock["health"] as? [String: Any])?["state"] as? String == "offline")
            let humidity = try #require((dock["values"] as? [[String: Any]])?.first)
            #expect(humidity["quality"] as? String == "offline")
            #expect(humidity["value"] == nil)
            let one = try await fixture.request("/api/v1/devices/bay-b1-scale")
            #expect(try one.object()["name"] as? String == "bay-b1-scale")
            let missing = try await fixture.request("/api/v1/devices/no-such-scale")
            #expect(missing.status == 404)
            #expect(try missing.object()["code"] as? String == "not_found")
        }
    }

    @Test("readings: raw for a short range, minute aggregates for a long one, bad ranges refused by name")
    func readings() async throws {
        try await WebFixture.with { fixture in
            let raw = try await fixture.request("/api/v1/devices/bay-a1-scale/readings?point=gross")
            #expect(raw.status == 200)
            let series = try raw.object()
            #expect(series["resolution"] as? String == "raw")
            #expect(series["unit"] as? String == "kg")
            let readings = try #require(series["readings"] as? [[String: Any]])
            #expect(readings.count == 7)
            #expect(readings.allSatisfy { $0["value"] as? Double == 2400 && $0["quality"] as? String == "good" })
            let from = UTCTimestamp.text(fixture.now.addingTimeInterval(-2 * 86_400))
            let long = try await fixture.request("/api/v1/devices/bay-a1-scale/readings?point=gross&from=\(from)")
            let aggregated = try long.object()
            #expect(aggregated["resolution"] as? String == "minute")
            let minutes = try #require(aggregated["aggregates"] as? [[String: Any]])
            #expect(minutes.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 7)
            #expect(minutes.allSatisfy { $0["mean"] as? Double == 2400 })
            let badTime = try await fixture.request("/api/v1/devices/bay-a1-scale/readings?point=gross&from=yesterday")
            #expect(badTime.status == 400)
            #expect(try badTime.object()["code"] as? String == "bad_time")
            #expect((try badTime.object()["message"] as? String)?.hasPrefix("from:") == true)
            let noPoint = try await fixture.request("/api/v1/devices/bay-a1-scale/readings")
            #expect(noPoint.status == 400)
            let unknownPoint = try await fixture.request("/api/v1/devices/bay-a1-scale/readings?point=humidity")
            #expect(unknownPoint.status == 404)
            let backwards = try await fixture.request(
                "/api/v1/devices/bay-a1-scale/readings?point=gross&from=\(UTCTimestamp.text(fixture.now))&to=\(from)")
            #expect(try backwards.object()["code"] as? String == "bad_range")
        }
    }

    @Test("locations carry book, physical and status from the reconciliation; zones their climate")
    func locationsAndZones() async throws {
        try await WebFixture.with { fixture in
            let answer = try await fixture.request("/api/v1/locations")
            #expect(answer.status == 200)
            let locations = try #require(try answer.object()["locations"] as? [[String: Any]])
            let b1 = try #require(locations.first { $0["name"] as? String == "bay-b1" })
            #expect(b1["book_kg"] as? Double == 696)
            // 725 kg gross on the scale, less three 18 kg drums: 671 kg, 25 kg short of the book's 696.
            #expect(b1["physical_kg"] as? Double == 671)
            #expect(b1["variance_kg"] as? Double == -25)
            #expect(b1["status"] as? String == "shortage")
            let a1 = try #require(locations.first { $0["name"] as? String == "bay-a1" })
            #expect(a1["status"] as? String == "ok")
            let zones = try await fixture.request("/api/v1/zones").array()
            let bayB = try #require(zones.first { $0["name"] as? String == "bay-b" })
            let humidity = try #require(bayB["humidity"] as? [String: Any])
            #expect(humidity["value"] as? Double == 58.5)
            #expect(humidity["unit"] as? String == "%RH")
            #expect((bayB["locations"] as? [String]) == ["bay-b1", "bay-b2", "bay-b3"])
        }
    }

    @Test("alerts: list, show with history, acknowledge as the token's holder, silences created and ended")
    func alerts() async throws {
        try await WebFixture.with { fixture in
            let list = try await fixture.request("/api/v1/alerts").array()
            #expect(Set(list.compactMap { $0["rule"] as? String }) == ["bay_b_humidity", "device_offline"])
            let humidity = try #require(list.first { $0["rule"] as? String == "bay_b_humidity" })
            let id = try #require(humidity["id"] as? Int)
            #expect(humidity["state"] as? String == "firing")
            #expect(humidity["value"] as? Double == 66)
            let shown = try await fixture.request("/api/v1/alerts/\(id)").object()
            #expect((shown["history"] as? [[String: Any]])?.isEmpty == false)
            let operatorToken = try #require(fixture.tokens[.operator])
            let ack = try await fixture.request(
                .POST, "/api/v1/alerts/\(id)/ack", token: operatorToken, json: ["comment": "dehumidifier on"])
            #expect(ack.status == 200)
            let acknowledged = try ack.object()
            #expect(acknowledged["state"] as? String == "acknowledged")
            let record = try #require(acknowledged["acknowledgement"] as? [String: Any])
            #expect(record["by"] as? String == "operator-holder")
            #expect(record["comment"] as? String == "dehumidifier on")
            let again = try await fixture.request(
                .POST, "/api/v1/alerts/\(id)/ack", token: operatorToken, json: ["comment": "twice"])
            #expect(again.status == 409)
            #expect(try await fixture.database.alert(id: id)?.acknowledgement?.comment == "dehumidifier on")

            let created = try await fixture.request(
                .POST, "/api/v1/silences", token: operatorToken,
                json: ["matchers": ["device=bay-b1-scale"], "duration": "2h", "comment": "recalibration"])
            #expect(created.status == 201)
            let silence = try created.object()
            let silenceID = try #require(silence["id"] as? String)
            #expect(silence["created_by"] as? String == "operator-holder")
            #expect(silence["state"] as? String == "active")
            #expect(try await fixture.database.silences(activeAt: fixture.now).map(\.id) == [silenceID])
            let silences = try await fixture.request("/api/v1/silences").array()
            #expect(silences.map { $0["id"] as? String } == [silenceID])
            let badMatcher = try await fixture.request(
                .POST, "/api/v1/silences", token: operatorToken,
                json: ["matchers": ["device"], "duration": "2h", "comment": "x"])
            #expect(try badMatcher.object()["code"] as? String == "bad_matchers")
            let ended = try await fixture.request(.DELETE, "/api/v1/silences/\(silenceID)", token: operatorToken)
            #expect(ended.status == 204)
            #expect(try await fixture.database.silences(activeAt: fixture.now.addingTimeInterval(1)).isEmpty)
        }
    }

    @Test("ledger: positions as of an instant, transactions with their hashes, one recorded as the admin")
    func ledger() async throws {
        try await WebFixture.with { fixture in
            let before = try await fixture.request("/api/v1/ledger/positions?at=2025-12-31T23:59:59Z").object()
            #expect((before["positions"] as? [Any])?.isEmpty == true)
            let positions = try await fixture.request("/api/v1/ledger/positions?location=bay-b1").object()
            let lots = try #require(positions["positions"] as? [[String: Any]])
            #expect(lots.map { $0["lot"] as? String } == ["DY-2026-027"])
            #expect(lots.first?["kg"] as? Double == 696)
            let transactions = try await fixture.request("/api/v1/ledger/transactions").array()
            #expect(transactions.count == 6)
            #expect(transactions.allSatisfy { ($0["hash"] as? String)?.count == 64 })
            let admin = try #require(fixture.tokens[.admin])
            let issue: [String: Any] = [
                "kind": "issue", "lot": "DY-2026-027", "location": "bay-b1", "kg": 25, "document": "ISS-2026-900",
                "time": UTCTimestamp.text(fixture.now.addingTimeInterval(-30)),
            ]
            let recorded = try await fixture.request(.POST, "/api/v1/ledger/transactions", token: admin, json: issue)
            #expect(recorded.status == 201)
            #expect(try recorded.object()["recorded"] as? Bool == true)
            let repeated = try await fixture.request(.POST, "/api/v1/ledger/transactions", token: admin, json: issue)
            #expect(repeated.status == 200)
            #expect(try repeated.object()["recorded"] as? Bool == false)
            let stored = try await fixture.database.storedTransactions()
            #expect(stored.count == 7)
            #expect(stored.last?.transaction.actor == "admin-holder")
            var overdrawn = issue
            overdrawn["kg"] = 5000
            overdrawn["document"] = "ISS-2026-901"
            let refused = try await fixture.request(.POST, "/api/v1/ledger/transactions", token: admin, json: overdrawn)
            #expect(refused.status == 422)
            #expect(try refused.object()["code"] as? String == "ledger_refused")
            #expect(try await fixture.database.storedTransactions().count == 7)
        }
    }

    @Test("reconciliation: the report as JSON, CSV or HTML is the bytes the renderer makes; a run is kept as latest")
    func reconciliation() async throws {
        try await WebFixture.with { fixture in
            let at = UTCTimestamp.text(fixture.now)
            let json = try await fixture.request("/api/v1/reconciliation/report?at=\(at)")
            #expect(json.status == 200)
            let content = try #require(try json.object()["content"] as? [String: Any])
            #expect(content["at"] as? String == at)
            let csv = try await fixture.request("/api/v1/reconciliation/report?at=\(at)&format=csv")
            #expect(csv.header("Content-Type").first?.hasPrefix("text/csv") == true)
            #expect(csv.header("Content-Disposition").first?.contains("attachment") == true)
            let again = try await fixture.request("/api/v1/reconciliation/report?at=\(at)&format=csv")
            #expect(csv.body == again.body)
            #expect(csv.text.contains("bay-b1"))
            let html = try await fixture.request("/api/v1/reconciliation/report?at=\(at)&format=html")
            #expect(html.text.hasPrefix("<!DOCTYPE html>") || html.text.hasPrefix("<!doctype html>"))
            let none = try await fixture.request("/api/v1/reconciliation/latest")
            #expect(none.status == 404)
            #expect(try none.object()["code"] as? String == "no_report")
            let auditor = try #require(fixture.tokens[.auditor])
            let run = try await fixture.request(.POST, "/api/v1/reconciliation", token: auditor, json: ["at": at])
            #expect(run.status == 201)
            let latest = try await fixture.request("/api/v1/reconciliation/latest")
            #expect(latest.body == json.body)
            let badFormat = try await fixture.request("/api/v1/reconciliation/report?format=pdf")
            #expect(try badFormat.object()["code"] as? String == "bad_parameter")
        }
    }

    @Test("healthz, readyz (503 until every bus has polled), metrics, and the OpenAPI document")
    func serviceRoutes() async throws {
        try await WebFixture.with { fixture in
            #expect(try await fixture.request("/healthz").status == 200)
            let ready = try await fixture.request("/readyz")
            #expect(ready.status == 503)
            #expect(try ready.object()["buses"] as? [String: Bool] == ["main": true, "line1": false])
            let metrics = try await fixture.request("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("stockpile_fixture_requests_total 1"))
            let spec = try await fixture.request("/openapi.yaml")
            #expect(spec.status == 200)
            #expect(spec.text.hasPrefix("openapi: 3.1"))
            let onDisk = try String(
                contentsOf: repositoryFile("docs/openapi.yaml"), encoding: .utf8)
            #expect(spec.text == onDisk)
        }
    }
}

func repositoryFile(_ path: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(path)
}
