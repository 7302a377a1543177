public import Hummingbird
import Logging

/// Turns every error a route or the router throws into an ``APIError`` answer, so that nothing reaches a client
/// as an HTML 500 or a dropped connection: Hummingbird's own errors (no route, body too large, bad decoding) keep
/// their status with a stable code; anything else is a 500 `internal` whose detail goes to the log only.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            return try Self.translate(error, request: request).response(from: request, context: context)
        } catch let error as DecodingError {
            return try APIError.badRequest("bad_body", "the JSON body does not fit: \(Self.describe(error))")
                .response(from: request, context: context)
        } catch {
            context.logger.error(
                "request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try APIError(.internalServerError, code: "internal", "the agent could not answer; see its log")
                .response(from: request, context: context)
        }
    }

    static func translate(_ error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            return .notFound("no route \(request.method.rawValue) \(request.uri.path)")
        case .contentTooLarge:
            return APIError(.contentTooLarge, code: "body_too_large", "the body is larger than 256 KiB")
        case .methodNotAllowed:
            return APIError(
                .methodNotAllowed, code: "method_not_allowed", "\(request.method.rawValue) is not allowed here")
        case .unsupportedMediaType:
            return APIError(.unsupportedMediaType, code: "unsupported_media_type", "send application/json")
        default:
            let status = error.status.code >= 500 ? HTTPResponse.Status.internalServerError : error.status
            return APIError(
                status, code: status.code >= 500 ? "internal" : "bad_request", error.body ?? status.reasonPhrase)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "the field \(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.isEmpty
                ? "not a JSON object"
                : "the field \(context.codingPath.map(\.stringValue).joined(separator: ".")) is wrong"
        @unknown default: "not readable"
        }
    }
}
