import Foundation
import Hummingbird
import StockpileDomain
import StockpileLedger

/// `/api/v1/reconciliation`: run a reconciliation (auditors), fetch a report as of any instant, or the last one
/// run, as JSON, CSV or HTML — the same bytes `stockpile reconcile` writes for the same store and instant.
struct ReconciliationRoutes {
    let backend: WebBackend
    let shelf: ReportShelf

    struct RunRequest: Decodable {
        var at: String?
        var location: String?
        var window: String?
    }

    func register(on router: Router<WebRequestContext>) {
        router.get("/api/v1/reconciliation/report") { request, context in
            try context.authorize(.read)
            let query = QueryParameters(request: request)
            let format = try Self.format(query)
            let location = try checkedLocation(query.text("location"))
            let window = try Self.window(query.text("window"))
            let at = try query.instant("at") ?? backend.clock()
            return try Self.rendered(try await shelf.build(at: at, window: window, location: location), as: format)
        }
        router.get("/api/v1/reconciliation/latest") { request, context in
            try context.authorize(.read)
            let format = try Self.format(QueryParameters(request: request))
            guard let report = await shelf.latestRun else {
                throw APIError(.notFound, code: "no_report", "no reconciliation has been run since the agent started")
            }
            return try Self.rendered(report, as: format)
        }
        router.post("/api/v1/reconciliation") { request, context in
            try context.authorize(.reconcile, csrf: request.headers[WebServer.csrfHeader])
            let body = try await JSONAnswer.body(
                RunRequest.self, fields: ["at", "location", "window"], from: request, context: context)
            var at = backend.clock()
            if let text = body.at {
                guard let date = UTCTimestamp.parse(text) else {
                    throw APIError.badRequest("bad_time", "at: \"\(text.prefix(64))\" is not an RFC 3339 time")
                }
                at = date
            }
            let report = try await shelf.run(
                at: at, window: try Self.window(body.window), location: try checkedLocation(body.location))
            var response = try Self.rendered(report, as: .json)
            response.status = .created
            return response
        }
    }

    private func checkedLocation(_ name: String?) throws -> String? {
        guard let name else { return nil }
        guard backend.site.ledgerLocations.contains(where: { $0.name == name }) else {
            throw APIError.notFound("no location \(name.prefix(64)) in the site file")
        }
        return name
    }

    static func format(_ query: QueryParameters) throws -> ReportRenderer.Format {
        let text = try query.choice("format", of: ["json", "csv", "html"]) ?? "json"
        return ReportRenderer.Format(rawValue: text) ?? .json
    }

    static func window(_ text: String?) throws -> Duration {
        guard let text else { return Reconciler.defaultWindow }
        guard let window = DurationText.parse(text), window > .zero, window <= .seconds(86_400) else {
            throw APIError.badRequest(
                "bad_window", "window: \"\(text.prefix(64))\" is not a duration from 1s to 1d (5m)")
        }
        return window
    }

    static func rendered(_ report: ReconciliationReport, as format: ReportRenderer.Format) throws -> Response {
        let text = try ReportRenderer.render(report, as: format)
        let type =
            switch format {
            case .json: "application/json; charset=utf-8"
            case .csv: "text/csv; charset=utf-8"
            case .html: "text/html; charset=utf-8"
            case .table: "text/plain; charset=utf-8"
            }
        var headers: HTTPFields = [.contentType: type]
        if format != .json {
            let stamp = report.at.replacingOccurrences(of: ":", with: "")
            headers[.contentDisposition] =
                "attachment; filename=\"reconciliation-\(report.site.id)-\(stamp).\(format.rawValue)\""
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
