import AsyncHTTPClient
import Foundation
import Logging
import NIOSSL
import ServiceLifecycle
import StockpileDomain
import StockpileStore
import StockpileTestSupport
import StockpileWeb
import Testing

@Suite("TLS from the site file's certificate and key")
struct TLSTests {
    /// A self-signed certificate for 127.0.0.1 made by openssl in `folder`.
    static func certificate(in folder: URL) async throws -> (certificate: String, key: String) {
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let output = folder.appendingPathComponent("openssl.txt")
        let status = try await APISchemaTests.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ], output: output)
        try #require(status == 0, "\((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
        return (certificate, key)
    }

    @Test("the server speaks TLS with the configured files; plain HTTP to it gets no answer; bad files are named")
    func tls() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-tls-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (certificate, key) = try await Self.certificate(in: folder)
        let site = try SiteLoader.load(
            file: repository.appendingPathComponent("Simulators/demo-warehouse/site.yaml").path,
            profileDirectories: [ShippedProfiles.directory])
        let database = try AppDatabase.open(path: folder.appendingPathComponent("store.sqlite").path)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        var settings = HTTPSettings()
        settings.port = 0
        settings.tls = HTTPSettings.TLSFiles(certificate: certificate, key: key)
        let backend = WebBackend(site: site, database: database, logger: quiet)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let service = try WebServer.service(backend: backend, settings: settings, logger: quiet) { port in
            portSink.yield(port)
            portSink.finish()
        }
        let group = ServiceGroup(services: [service], logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.trustRoots = .file(certificate)
            let client = HTTPClient(configuration: HTTPClient.Configuration(tlsConfiguration: tlsConfiguration))
            do {
                let response = try await client.execute(
                    HTTPClientRequest(url: "https://127.0.0.1:\(port)/api/v1/devices"), timeout: .seconds(20))
                #expect(response.status.code == 200)
                let body = try await response.body.collect(upTo: 1 << 20)
                #expect(String(buffer: body).contains("bay-b1-scale"))
                let plain = try? await HTTPClient.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(5))
                #expect(plain?.status.code != 200)
            } catch {
                Issue.record("\(error)")
            }
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        var broken = settings
        broken.tls = HTTPSettings.TLSFiles(certificate: folder.appendingPathComponent("none.pem").path, key: key)
        #expect(throws: WebServerError.self) {
            _ = try WebServer.service(backend: backend, settings: broken, logger: quiet)
        }
        do {
            _ = try WebServer.service(backend: backend, settings: broken, logger: quiet)
        } catch {
            #expect(error.description.contains("none.pem"))
        }
    }
}
