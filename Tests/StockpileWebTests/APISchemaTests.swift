import Foundation
import StockpileWeb
import Testing

/// The OpenAPI document tested against the running server by schemathesis (a test peer from PyPI, pinned in the
/// Makefile): every documented route, with generated valid and invalid inputs, as an admin so that the mutating
/// routes run their checks too.
@Suite("OpenAPI document against the running server (schemathesis)")
struct APISchemaTests {
    @Test("every documented route: no 5xx, every status, content type and body as documented")
    func schemathesis() async throws {
        try await WebFixture.with(busesReady: true) { fixture in
            let admin = try #require(fixture.tokens[.admin])
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID()).txt")
            defer { try? FileManager.default.removeItem(at: output) }
            let status = try await Self.run(
                [
                    "schemathesis", "--no-color", "run", "\(fixture.base)/openapi.yaml",
                    "--checks",
                    "not_a_server_error,status_code_conformance,content_type_conformance,"
                        + "response_headers_conformance,response_schema_conformance",
                    "--header", "Authorization: Bearer \(admin)", "--max-examples", "20", "--seed", "20261202",
                    "--phases", "examples,coverage,fuzzing", "--workers", "1", "--request-timeout", "20",
                    "--no-shrink",
                ], output: output)
            let report = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            #expect(status == 0, "schemathesis exited \(status):\n\(report.suffix(6000))")
            // It did test the routes: the summary counts the operations it ran, every one the document has.
            let spec = try String(contentsOf: repositoryFile("docs/openapi.yaml"), encoding: .utf8)
            let operations = spec.split(separator: "\n").filter {
                ["    get:", "    post:", "    delete:"].contains(String($0))
            }.count
            #expect(operations >= 20)
            // Schemathesis leaves out the route that serves the document itself: every other one is tested.
            let tested = Self.number(after: "Tested: ", in: report)
            #expect(report.contains("Selected: \(operations - 1)/\(operations - 1)"), "\(report.suffix(2000))")
            #expect(tested == operations - 1, "\(report.suffix(2000))")
            #expect(!report.contains("Server error"), "\(report.suffix(4000))")
        }
    }

    static func number(after label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// Runs a command found on PATH with its output in `output`; its exit status, without blocking a thread.
    static func run(_ arguments: [String], output: URL) async throws -> Int32 {
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        // Its cache and reports go beside the output, not into the working directory.
        process.currentDirectoryURL = output.deletingLastPathComponent()
        process.standardOutput = handle
        process.standardError = handle
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["SCHEMATHESIS_TELEMETRY"] = "false"
        process.environment = environment
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
