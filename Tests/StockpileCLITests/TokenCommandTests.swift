import Foundation
import Testing

@Suite("stockpile token new, and the agent's HTTP server honouring the tokens it makes")
struct TokenCommandTests {
    /// Runs `token new` and returns the token and the site-file line it printed.
    static func newToken(role: String, name: String) async throws -> (token: String, line: String) {
        let outcome = try await StockpileRunner.run(["token", "new", "--role", role, "--name", name])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        let token = try #require(lines.first { $0.hasPrefix("token: ") }).dropFirst("token: ".count)
        let line = try #require(lines.first { $0.hasPrefix("  - {name: \(name), role: \(role), sha256: ") })
        return (String(token), line)
    }

    @Test("a new token: printed once with its site-file line, which holds its SHA-256 and not the token")
    func newToken() async throws {
        let (token, line) = try await Self.newToken(role: "operator", name: "night-shift")
        #expect(token.hasPrefix("spk_") && token.count == 4 + 43)
        #expect(!line.contains(token) && !line.contains(token.dropFirst(4)))
        let digest = try #require(line.split(separator: " ").last?.dropLast())
        #expect(digest == Self.sha256sum(token)[...])
        let second = try await Self.newToken(role: "operator", name: "night-shift")
        #expect(second.token != token)
        let refused = try await StockpileRunner.run(["token", "new", "--role", "root"])
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("--role"))
    }

    @Test("the agent serves with tokens from the site file: the auditor may reconcile, the operator not, nobody 401")
    func agentHonoursTokens() async throws {
        let auditor = try await Self.newToken(role: "auditor", name: "auditor-1")
        let operatorToken = try await Self.newToken(role: "operator", name: "operator-1")
        try await SimulatorProcess.run(scenario: AgentCommandTests.scenario) { simulator in
            let site =
                AgentCommandTests.site(simulator, flush: "200ms") + "\nhttp:\n  tokens:\n" + auditor.line + "\n"
                + operatorToken.line + "\n"
            let path = simulator.directory.appendingPathComponent("site.yaml").path
            try site.write(toFile: path, atomically: true, encoding: .utf8)
            let agent = try ChildProcess(["agent", "--site", path, "--http", "127.0.0.1:0"], name: "agent")
            defer { agent.kill() }
            let port = try await agent.waitFor { lines in
                lines.first { $0.hasPrefix("dashboard http://127.0.0.1:") }
                    .flatMap { Int($0.split(separator: ":").last?.split(separator: "/").first ?? "") }
            }
            let body = #"{"window": "1m"}"#
            let anonymous = try await LoopbackHTTP.exchange(port: port, "POST", "/api/v1/reconciliation", body: body)
            #expect(anonymous.status == 401)
            let wrongRole = try await LoopbackHTTP.exchange(
                port: port, "POST", "/api/v1/reconciliation", body: body,
                headers: [("Authorization", "Bearer \(operatorToken.token)")])
            #expect(wrongRole.status == 403)
            let allowed = try await LoopbackHTTP.exchange(
                port: port, "POST", "/api/v1/reconciliation", body: body,
                headers: [("Authorization", "Bearer \(auditor.token)")])
            #expect(allowed.status == 201, "\(String(decoding: allowed.body, as: UTF8.self))")
            let report = try JSONSerialization.jsonObject(with: allowed.body) as? [String: Any]
            #expect((report?["content_sha256"] as? String)?.count == 64)
            // Ready once every bus has completed a poll.
            var ready = 0
            for _ in 0..<100 where ready != 200 {
                ready = try await LoopbackHTTP.exchange(port: port, "GET", "/readyz").status
                if ready != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready == 200)
            let logged = agent.standardOutput + agent.standardError
            #expect(!logged.contains(auditor.token) && !logged.contains(operatorToken.token))
        }
    }

    static func sha256sum(_ text: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf '%s' \"$1\" | sha256sum", "sh", text]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}
