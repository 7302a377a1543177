import Foundation

/// Plain HTTP/1.1 to a server on loopback, for the control channel and the metrics endpoint.
enum LoopbackHTTP {
    struct HTTPFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// One HTTP/1.1 exchange with `Connection: close`, over a plain socket off the pool.
    static func exchange(
        port: Int, _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = []
    ) async throws
        -> (status: Int, body: Data)
    {
        let payload = Array((body ?? "").utf8)
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if body != nil { request += "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8) + payload
        let answer = try await OffPool.run("http \(method) \(path)") { () throws -> [UInt8] in
            let connection = try LoopbackConnection(port: port, timeout: .seconds(5))
            try connection.send(bytes)
            return try connection.receiveToEnd().bytes
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard answer.count >= 4,
            let split = (0...(answer.count - 4)).first(where: { Array(answer[$0..<$0 + 4]) == separator })
        else { throw HTTPFailure(description: "\(method) \(path): no HTTP answer") }
        let statusLine = String(decoding: answer[..<split], as: UTF8.self).split(separator: " ")
        let status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
        return (status, Data(answer[(split + 4)...]))
    }
}
