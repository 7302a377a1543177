import Foundation
import Glibc
import NIOHTTP1
import StockpileDomain
import StockpileWeb
import Testing

@Suite("Access control: tokens, roles, loopback")
struct AccessControlTests {
    struct MutatingRoute: Sendable, CustomStringConvertible {
        let method: String
        let path: String
        let body: [String: any Sendable]?
        let allowed: Set<AccessRole>

        var description: String { "\(method) \(path)" }
    }

    /// Every route that changes something, with a body that passes its checks far enough to be authorized.
    static func mutatingRoutes(alertID: Int) -> [MutatingRoute] {
        [
            MutatingRoute(
                method: "POST", path: "/api/v1/alerts/\(alertID)/ack", body: ["comment": "on it"],
                allowed: [.operator, .admin]),
            MutatingRoute(
                method: "POST", path: "/api/v1/silences",
                body: ["matchers": ["device=bay-b1-scale"], "duration": "1h", "comment": "maintenance"],
                allowed: [.operator, .admin]),
            MutatingRoute(
                method: "DELETE", path: "/api/v1/silences/no-such-silence", body: nil, allowed: [.operator, .admin]),
            MutatingRoute(
                method: "POST", path: "/api/v1/ledger/transactions",
                body: [
                    "kind": "receipt", "lot": "NDPR-2026-140", "location": "bay-a2", "kg": 300, "document": "GRN-9",
                ],
                allowed: [.admin]),
            MutatingRoute(
                method: "POST", path: "/api/v1/reconciliation", body: ["window": "5m"], allowed: [.auditor, .admin]),
        ]
    }

    @Test("every role against every mutating route: 401 without a valid token, 403 for the wrong role")
    func rolesAgainstRoutes() async throws {
        try await WebFixture.with { fixture in
            for role in AccessRole.allCases {
                // A fresh firing alert per role, so an earlier acknowledgement does not make the next a 409.
                let alertID = try #require(
                    try await fixture.database.alerts(includeResolved: false).first { $0.state == .firing }?.id)
                for route in Self.mutatingRoutes(alertID: alertID) {
                    let method = HTTPMethod(rawValue: route.method)
                    let anonymous = try await fixture.request(method, route.path, json: route.body)
                    #expect(anonymous.status == 401, "\(route) without a token")
                    #expect(try anonymous.object()["code"] as? String == "unauthorized")
                    #expect(anonymous.header("WWW-Authenticate").first?.hasPrefix("Bearer") == true)
                    let forged = try await fixture.request(
                        method, route.path, token: TokenAuthority.newToken(), json: route.body)
                    #expect(forged.status == 401, "\(route) with an unknown token")
                    let answer = try await fixture.request(
                        method, route.path, token: fixture.tokens[role], json: route.body)
                    if route.allowed.contains(role) {
                        #expect(
                            ![401, 403].contains(answer.status), "\(route) as \(role): \(answer.status) \(answer.text)")
                        #expect(answer.status < 500, "\(route) as \(role): \(answer.text)")
                    } else {
                        #expect(answer.status == 403, "\(route) as \(role)")
                        let message = try answer.object()["message"] as? String ?? ""
                        #expect(message.contains("role"))
                        #expect(!message.contains(fixture.tokens[role] ?? "?"))
                    }
                }
            }
            // The dashboard's forms are mutating routes too: the acknowledge form, signing out.
            for role in AccessRole.allCases {
                // Acknowledged by now (the loop above): an allowed role gets past access control to a 409 page.
                let alertID = try #require(try await fixture.database.alerts(includeResolved: true).first?.id)
                let form = Data("comment=from+the+form".utf8)
                let type = ("Content-Type", "application/x-www-form-urlencoded")
                let anonymous = try await fixture.request(.POST, "/alerts/\(alertID)/ack", body: form, headers: [type])
                #expect(anonymous.status == 401)
                let answer = try await fixture.request(
                    .POST, "/alerts/\(alertID)/ack", token: fixture.tokens[role], body: form, headers: [type])
                if role.permits(.acknowledge) {
                    #expect(
                        ![401, 403].contains(answer.status) && answer.status < 500,
                        "the form as \(role): \(answer.status)")
                } else {
                    #expect(answer.status == 403, "the acknowledge form as \(role)")
                }
            }
            // What the allowed calls did, and only they: one acknowledgement, two silences (operator, admin).
            #expect(try await fixture.database.silences(activeAt: nil).count == 2)
            #expect(try await fixture.database.storedTransactions().last?.transaction.actor == "admin-holder")
        }
    }

    @Test("reading from loopback needs no token; a malformed Authorization header is 401 all the same")
    func loopbackReads() async throws {
        try await WebFixture.with { fixture in
            #expect(try await fixture.request("/api/v1/devices").status == 200)
            #expect(try await fixture.request("/api/v1/devices", token: fixture.tokens[.viewer]).status == 200)
            let basic = try await fixture.request(
                "/api/v1/devices", headers: [("Authorization", "Basic YWRtaW46YWRtaW4=")])
            #expect(basic.status == 401)
            let empty = try await fixture.request("/api/v1/devices", headers: [("Authorization", "Bearer ")])
            #expect(empty.status == 401)
        }
    }

    @Test("from another address every request needs a token; liveness and readiness do not")
    func remoteNeedsToken() async throws {
        let address = try #require(Self.nonLoopbackAddress(), "this machine has no non-loopback IPv4 address")
        try await WebFixture.with(address: "0.0.0.0", connectHost: address) { fixture in
            let anonymous = try await fixture.request("/api/v1/devices")
            #expect(anonymous.status == 401)
            #expect(!anonymous.text.contains("bay-"))
            let unknownRoute = try await fixture.request("/api/v1/nothing-here")
            #expect(unknownRoute.status == 401)
            #expect(try await fixture.request("/api/v1/devices", token: fixture.tokens[.viewer]).status == 200)
            #expect(try await fixture.request("/metrics", token: fixture.tokens[.viewer]).status != 401)
            #expect(try await fixture.request("/healthz").status == 200)
            #expect(try await fixture.request("/readyz").status == 503)
        }
    }

    @Test("tokens never reach the log, neither a good one nor a refused one")
    func tokensNeverLogged() async throws {
        try await WebFixture.with { fixture in
            let forged = TokenAuthority.newToken()
            _ = try await fixture.request("/api/v1/devices", token: fixture.tokens[.admin])
            _ = try await fixture.request("/api/v1/devices", token: forged)
            _ = try await fixture.request(.POST, "/api/v1/reconciliation", token: fixture.tokens[.viewer], json: [:])
            _ = try await fixture.request(
                .POST, "/api/v1/ledger/transactions", token: fixture.tokens[.admin], json: ["kind": 1])
            let lines = fixture.log.lines.withLock { $0 }
            for token in Array(fixture.tokens.values) + [forged] {
                #expect(!lines.contains { $0.contains(token) || $0.contains(String(token.dropFirst(4))) })
            }
        }
    }

    @Test("a new token is 256 random bits; the site file keeps its SHA-256; comparison needs every byte")
    func tokenMaking() throws {
        let tokens = (0..<50).map { _ in TokenAuthority.newToken() }
        #expect(Set(tokens).count == 50)
        for token in tokens {
            #expect(token.hasPrefix("spk_"))
            var base64 = String(token.dropFirst(4)).replacingOccurrences(of: "-", with: "+")
                .replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            #expect(Data(base64Encoded: base64)?.count == 32)
        }
        let digest = TokenAuthority.digestHex("spk_example")
        #expect(digest.count == 64)
        // sha256("spk_example"), from sha256sum.
        #expect(digest == Self.sha256sum("spk_example"))
        let bytes = (0..<32).map { UInt8($0) }
        var last = bytes
        last[31] ^= 1
        var first = bytes
        first[0] ^= 0x80
        #expect(TokenAuthority.constantTimeEqual(bytes, bytes))
        #expect(!TokenAuthority.constantTimeEqual(bytes, last))
        #expect(!TokenAuthority.constantTimeEqual(bytes, first))
        #expect(!TokenAuthority.constantTimeEqual(bytes, Array(bytes.dropLast())))
    }

    static func sha256sum(_ text: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf '%s' \"$1\" | sha256sum", "sh", text]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init)
    }

    /// The first IPv4 address of an interface that is up and not loopback.
    static func nonLoopbackAddress() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                entry.pointee.ifa_flags & UInt32(IFF_LOOPBACK) == 0, entry.pointee.ifa_flags & UInt32(IFF_UP) != 0
            else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard
                getnameinfo(
                    address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0,
                    NI_NUMERICHOST) == 0
            else { continue }
            return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }
}
