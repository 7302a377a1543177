public import StockpileDomain
public import Hummingbird
import Foundation

/// A refusal the API answers with: an HTTP status, a stable machine-readable `code`, and a message for people.
///
/// Rendered as `{"code": "…", "message": "…"}`; the dashboard renders the same as a page. Messages name the
/// field or parameter that was wrong and never echo a credential.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String

    public init(_ status: HTTPResponse.Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(.badRequest, code: code, message)
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message)
    }

    public static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", "a valid bearer token (or a dashboard session) is needed")

    public static func forbidden(_ action: AccessAction) -> APIError {
        APIError(
            .forbidden, code: "forbidden",
            "this needs the \(AccessRole.least(for: action).rawValue) role (or admin) for \(action.rawValue)")
    }

    /// The JSON body.
    public var body: [String: String] { ["code": code, "message": message] }

    public var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { fields[.wwwAuthenticate] = "Bearer realm=\"stockpile\"" }
        return fields
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
