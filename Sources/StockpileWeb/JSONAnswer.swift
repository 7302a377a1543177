import Foundation
import StockpileDomain
import Hummingbird
import NIOCore

/// JSON answers: snake_case keys, sorted, instants as RFC 3339 UTC text, numbers as numbers.
enum JSONAnswer {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A JSON object body of at most the context's upload size, with no field outside `fields` (a misspelt field
    /// is refused, not ignored), decoded into `T`; a clear 400 (or 413) when it is not one.
    static func body<T: Decodable>(
        _ type: T.Type, fields: Set<String>, from request: Request, context: WebRequestContext
    ) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body_too_large", "the body is larger than 256 KiB")
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("bad_body", "a JSON body is needed") }
        let data = Data(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError.badRequest("bad_body", "the body is not a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw APIError.badRequest(
                "bad_body",
                "unknown field \(unknown.prefix(64)) (expected one of: \(fields.sorted().joined(separator: ", ")))")
        }
        do {
            return try decoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError.badRequest(
                "bad_body", "the JSON body does not fit: \(ErrorMiddleware<WebRequestContext>.describe(error))")
        }
    }

    /// A number for JSON: nil for NaN and infinities, which JSON cannot carry.
    static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }
}

/// Query parameters, checked where they are read; each refusal names the parameter.
struct QueryParameters {
    let request: Request

    func text(_ name: String) -> String? {
        request.uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An RFC 3339 instant (`2026-12-01T08:00:00Z`).
    func instant(_ name: String) throws -> Date? {
        guard let text = text(name) else { return nil }
        guard let date = UTCTimestamp.parse(text) else {
            throw APIError.badRequest(
                "bad_time", "\(name): \"\(text.prefix(64))\" is not an RFC 3339 time (2026-12-01T08:00:00Z)")
        }
        return date
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = text(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest(
                "bad_parameter",
                "\(name): \"\(text.prefix(64))\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func choice(_ name: String, of choices: [String]) throws -> String? {
        guard let text = text(name) else { return nil }
        guard choices.contains(text) else {
            throw APIError.badRequest(
                "bad_parameter", "\(name): \"\(text.prefix(64))\" is not one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    func flag(_ name: String) throws -> Bool {
        try choice(name, of: ["true", "false"]) == "true"
    }
}
