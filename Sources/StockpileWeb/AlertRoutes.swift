import Foundation
import Hummingbird
import StockpileAlerts
import StockpileDomain
import StockpileStore

/// `/api/v1/alerts` and `/api/v1/silences`: the alerts with their history, acknowledgement, and silences.
///
/// An acknowledgement goes through the store's request table, which the agent's alert loop answers within a
/// second, exactly as `stockpile alerts ack` does while an agent runs: the loop stays the only writer of alert
/// state, so the server never races it.
struct AlertRoutes {
    let backend: WebBackend
    /// How long an acknowledgement waits for the alert loop's answer.
    static let answerWait: Duration = .seconds(5)

    struct AcknowledgementBody: Codable, Equatable {
        var by: String
        var at: String
        var comment: String
    }

    struct TransitionBody: Codable, Equatable {
        var from: String
        var to: String
        var at: String
        var value: Double?
        var by: String?
        var comment: String?
    }

    struct AlertBody: Codable, Equatable {
        var id: Int
        var fingerprint: String
        var rule: String
        var state: String
        var severity: String
        var labels: [String: String]
        var summary: String
        var activeSince: String
        var startsAt: String?
        var endsAt: String?
        var value: Double?
        var triggeringValue: Double?
        var peakValue: Double?
        var acknowledgement: AcknowledgementBody?
        var history: [TransitionBody]?
    }

    struct AcknowledgeRequest: Decodable {
        var comment: String
    }

    struct SilenceBody: Codable, Equatable {
        var id: String
        var matchers: [String]
        var startsAt: String
        var endsAt: String
        var createdBy: String
        var comment: String
        var state: String
    }

    struct SilenceRequest: Decodable {
        var matchers: [String]
        var startsAt: String?
        var endsAt: String?
        /// Instead of `ends_at`: a duration such as `2h`.
        var duration: String?
        var comment: String
    }

    func register(on router: Router<WebRequestContext>) {
        router.get("/api/v1/alerts") { request, context in
            try context.authorize(.read)
            let all = try QueryParameters(request: request).flag("all")
            let alerts = try await backend.database.alerts(includeResolved: all, limit: all ? 1000 : nil)
            return try JSONAnswer.response(alerts.map { Self.body($0, history: false) })
        }
        router.get("/api/v1/alerts/:id") { _, context in
            try context.authorize(.read)
            return try JSONAnswer.response(Self.body(try await alert(context), history: true))
        }
        router.post("/api/v1/alerts/:id/ack") { request, context in
            let identity = try context.authorize(.acknowledge, csrf: request.headers[WebServer.csrfHeader])
            let body = try await JSONAnswer.body(
                AcknowledgeRequest.self, fields: ["comment"], from: request, context: context)
            let alert = try await acknowledge(
                try await alert(context), by: identity?.name ?? "loopback", comment: body.comment)
            return try JSONAnswer.response(Self.body(alert, history: true))
        }
        router.get("/api/v1/silences") { request, context in
            try context.authorize(.read)
            let all = try QueryParameters(request: request).flag("all")
            let now = backend.clock()
            let silences = try await backend.database.silences(activeAt: nil).filter {
                all || $0.state(at: now) != .expired
            }
            return try JSONAnswer.response(silences.map { Self.body($0, now: now) })
        }
        router.post("/api/v1/silences") { request, context in
            let identity = try context.authorize(.silence, csrf: request.headers[WebServer.csrfHeader])
            let body = try await JSONAnswer.body(
                SilenceRequest.self, fields: ["matchers", "starts_at", "ends_at", "duration", "comment"], from: request,
                context: context)
            let silence = try silence(body, by: identity?.name ?? "loopback")
            try await backend.database.addSilence(silence, at: backend.clock())
            return try JSONAnswer.response(Self.body(silence, now: backend.clock()), status: .created)
        }
        router.delete("/api/v1/silences/:id") { request, context in
            let identity = try context.authorize(.silence, csrf: request.headers[WebServer.csrfHeader])
            let id = try context.parameters.require("id")
            guard try await backend.database.expireSilence(id: id, at: backend.clock(), by: identity?.name) else {
                throw APIError.notFound("no silence \(id.prefix(64)) in force")
            }
            return Response(status: .noContent)
        }
    }

    private func alert(_ context: WebRequestContext) async throws -> Alert {
        let text = try context.parameters.require("id")
        guard let id = Int(text), id > 0 else {
            throw APIError.badRequest("bad_parameter", "id: \"\(text.prefix(64))\" is not an alert id")
        }
        guard let alert = try await backend.database.alert(id: id) else { throw APIError.notFound("no alert #\(id)") }
        return alert
    }

    /// Acknowledges through the alert loop and returns the alert as it then stands; 409 when the loop refuses
    /// (already acknowledged, resolved), 503 when it does not answer in time (and the request is withdrawn).
    func acknowledge(_ alert: Alert, by name: String, comment: String) async throws -> Alert {
        let comment = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !comment.isEmpty, comment.count <= 1000 else {
            throw APIError.badRequest("bad_comment", "comment: say what is being done, in at most 1000 characters")
        }
        guard alert.state.isOpen else {
            throw APIError(.conflict, code: "not_open", "#\(alert.id) is \(alert.state.rawValue)")
        }
        let database = backend.database
        guard backend.answersAlertRequests else {
            do {
                return try await database.acknowledgeWithoutAgent(
                    alert: alert.id, by: name, comment: comment, at: backend.clock()) ?? alert
            } catch let error as AlertTracker.AcknowledgementError {
                throw APIError(.conflict, code: "refused", error.description)
            }
        }
        let request = try await database.requestAcknowledgement(
            alert: alert.id, by: name, comment: comment, at: backend.clock())
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: Self.answerWait)
        while clock.now < deadline {
            if let answer = try await database.request(id: request), answer.isDone {
                if let refusal = answer.outcome { throw APIError(.conflict, code: "refused", refusal) }
                return try await database.alert(id: alert.id) ?? alert
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if try await database.completeRequest(id: request, at: backend.clock(), outcome: "withdrawn: nobody waited") {
            throw APIError(
                .serviceUnavailable, code: "no_answer", "the alert loop did not answer; nothing was acknowledged")
        }
        return try await database.alert(id: alert.id) ?? alert
    }

    private func silence(_ body: SilenceRequest, by name: String) throws -> Silence {
        guard !body.matchers.isEmpty, body.matchers.count <= 20 else {
            throw APIError.badRequest("bad_matchers", "matchers: one to twenty, such as \"device=bay-b1-scale\"")
        }
        var matchers: [LabelMatcher] = []
        for text in body.matchers {
            do {
                matchers.append(try LabelMatcher(parsing: text))
            } catch {
                throw APIError.badRequest("bad_matchers", "matchers: \(error)")
            }
        }
        let comment = body.comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !comment.isEmpty, comment.count <= 1000 else {
            throw APIError.badRequest("bad_comment", "comment: say why, in at most 1000 characters")
        }
        let now = backend.clock()
        var start = now
        if let text = body.startsAt {
            guard let date = UTCTimestamp.parse(text) else {
                throw APIError.badRequest("bad_time", "starts_at: \"\(text.prefix(64))\" is not an RFC 3339 time")
            }
            start = date
        }
        let end: Date
        switch (body.endsAt, body.duration) {
        case (let text?, nil):
            guard let date = UTCTimestamp.parse(text) else {
                throw APIError.badRequest("bad_time", "ends_at: \"\(text.prefix(64))\" is not an RFC 3339 time")
            }
            end = date
        case (nil, let text?):
            guard let duration = DurationText.parse(text), duration > .zero, duration <= .seconds(366 * 86_400) else {
                throw APIError.badRequest(
                    "bad_duration", "duration: \"\(text.prefix(64))\" is not a duration up to a year (2h)")
            }
            end = start.addingTimeInterval(duration.seconds)
        default:
            throw APIError.badRequest("bad_end", "give ends_at or duration, one of them")
        }
        guard end > start, end > now else {
            throw APIError.badRequest("bad_end", "the silence must end after it starts and after now")
        }
        return Silence(
            id: UUID().uuidString.lowercased(), matchers: matchers, startsAt: start, endsAt: end, createdBy: name,
            comment: comment)
    }

    static func body(_ alert: Alert, history: Bool) -> AlertBody {
        AlertBody(
            id: alert.id, fingerprint: alert.fingerprint, rule: alert.rule, state: alert.state.rawValue,
            severity: alert.severity.rawValue, labels: alert.labels, summary: alert.summary,
            activeSince: UTCTimestamp.text(alert.activeSince), startsAt: alert.startsAt.map(UTCTimestamp.text),
            endsAt: alert.endsAt.map(UTCTimestamp.text), value: JSONAnswer.finite(alert.lastValue),
            triggeringValue: JSONAnswer.finite(alert.triggeringValue), peakValue: JSONAnswer.finite(alert.peakValue),
            acknowledgement: alert.acknowledgement.map {
                AcknowledgementBody(by: $0.by, at: UTCTimestamp.text($0.at), comment: $0.comment)
            },
            history: history
                ? alert.history.map {
                    TransitionBody(
                        from: $0.from.rawValue, to: $0.to.rawValue, at: UTCTimestamp.text($0.at),
                        value: JSONAnswer.finite($0.value), by: $0.by, comment: $0.comment)
                } : nil)
    }

    static func body(_ silence: Silence, now: Date) -> SilenceBody {
        SilenceBody(
            id: silence.id, matchers: silence.matchers.map(\.description),
            startsAt: UTCTimestamp.text(silence.startsAt),
            endsAt: UTCTimestamp.text(silence.endsAt), createdBy: silence.createdBy, comment: silence.comment,
            state: silence.state(at: now).rawValue)
    }
}
