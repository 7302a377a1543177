import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// One JSON POST to a receiver, bounded by its timeout, with every failure as a `DeliveryError`.
///
/// The timeout is an AsyncHTTPClient deadline for the whole exchange: connecting (a refused
/// connection is retried by the client's pool until then, and reported as the connection error),
/// sending, the status and the body. Redirects follow the shared client's configuration.
struct HTTPDelivery: Sendable {
    let receiver: String
    let target: HTTPTarget
    let timeout: Duration
    let httpClient: HTTPClient
    let logger: Logger

    /// The most of a failed answer's body kept for the message.
    static let bodyExcerptLimit = 512

    /// POSTs `body`; `accepts` says which statuses are success.
    func post(_ body: Data, accepts: (UInt) -> Bool) async throws(DeliveryError) {
        guard let url = target.url else {
            throw DeliveryError(
                receiver: receiver, kind: .connection, message: "the receiver's URL is not an http or https URL")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "stockpile")
        if let authorization = target.authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(body)
        let status: UInt
        let excerpt: String
        do {
            // No logger passed: the client's own trace lines would carry the full URL.
            let response = try await httpClient.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout)))
            status = response.status.code
            // The body is read so the connection can be reused; a failure's start goes in the message.
            excerpt = (try? await Self.excerpt(of: response.body)) ?? ""
        } catch {
            throw classify(error)
        }
        guard accepts(status) else {
            let answer = excerpt.isEmpty ? "" : ": \(excerpt)"
            throw DeliveryError(
                receiver: receiver, kind: .httpStatus, code: Int(status),
                message: "\(target.redacted) answered HTTP \(status)\(answer)")
        }
        logger.debug(
            "notification delivered",
            metadata: ["receiver": "\(receiver)", "url": "\(target.redacted)", "status": "\(status)"])
    }

    /// The error for what the client threw: a deadline is a timeout, anything else a connection failure.
    func classify(_ error: any Error) -> DeliveryError {
        let timeouts: [HTTPClientError] = [
            .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
            .getConnectionFromPoolTimeout,
        ]
        if let error = error as? HTTPClientError, timeouts.contains(error) {
            return DeliveryError(
                receiver: receiver, kind: .timeout,
                message: "\(target.redacted) did not answer within \(Self.seconds(timeout))")
        }
        if error is CancellationError || (error as? HTTPClientError) == .cancelled {
            return DeliveryError(receiver: receiver, kind: .connection, message: "the send was cancelled")
        }
        return DeliveryError(
            receiver: receiver, kind: .connection, message: "cannot reach \(target.redacted): \(error)")
    }

    /// The first `bodyExcerptLimit` bytes of a body as one line; reading stops after 64 KiB.
    static func excerpt(of body: HTTPClientResponse.Body) async throws -> String {
        var kept: [UInt8] = []
        var seen = 0
        for try await buffer in body {
            if kept.count < bodyExcerptLimit {
                kept += buffer.readableBytesView.prefix(bodyExcerptLimit - kept.count)
            }
            seen += buffer.readableBytes
            if seen > 65_536 { break }
        }
        return oneLine(String(decoding: kept, as: UTF8.self))
    }

    /// Text trimmed and on one line (`\n` as ` / `), for a message.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " / ")
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// `2.5 s`, `300 ms`.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = nanoseconds(duration) / 1_000_000
        return milliseconds < 1000 ? "\(milliseconds) ms" : "\(Double(milliseconds) / 1000) s"
    }
}
