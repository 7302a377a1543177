import Foundation
import Hummingbird

/// The routes a machine asks: liveness, readiness, the metrics for a scraper, the API's own description.
struct ServiceRoutes {
    let backend: WebBackend

    struct ReadinessBody: Codable, Equatable {
        var ready: Bool
        /// Each bus and whether it has completed a poll.
        var buses: [String: Bool]
    }

    func register(on router: Router<WebRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/readyz") { _, _ in
            let buses = await backend.busesPolled()
            let ready = buses.values.allSatisfy { $0 }
            return try JSONAnswer.response(
                ReadinessBody(ready: ready, buses: buses), status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, context in
            try context.authorize(.read)
            guard let registry = backend.registry else {
                throw APIError.notFound("this process keeps no metrics")
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/openapi.yaml") { _, context in
            try context.authorize(.read)
            guard let text = OpenAPIDocument.text else {
                throw APIError(.internalServerError, code: "internal", "the OpenAPI document is missing from the build")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}

/// `docs/openapi.yaml`, which the build copies beside the executable (SwiftPM's resource bundle of this
/// target). Looked up by hand rather than through `Bundle.module`, whose accessor stops the process when the
/// bundle is missing; a binary copied without it answers 500 here instead.
enum OpenAPIDocument {
    static let text: String? = {
        guard let executable = Bundle.main.executableURL else { return nil }
        let folders = [
            executable.deletingLastPathComponent(), Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for folder in folders {
            let url = folder.appendingPathComponent("Stockpile_StockpileWeb.resources/openapi.yaml")
            if let text = try? String(contentsOf: url, encoding: .utf8) { return text }
        }
        return nil
    }()
}
