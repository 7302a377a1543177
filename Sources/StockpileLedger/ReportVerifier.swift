import Foundation

/// `stockpile reconcile verify FILE`: recomputes a report's SHA-256 from the content it carries and
/// renders the file again from that content, so an edit anywhere in it shows.
public enum ReportVerifier {
    public struct Outcome: Hashable, Sendable {
        public var format: ReportRenderer.Format
        public var digest: String
    }

    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Checks a JSON or HTML report on its own; a table or CSV report carries only the hash, so it is
    /// checked by rendering the report again from the store (`expected`).
    public static func verify(_ text: String, expected: ReconciliationReport? = nil) throws -> Outcome {
        let format = detect(text)
        let report: ReconciliationReport
        let claimed: String
        switch format {
        case .json:
            guard let data = text.data(using: .utf8),
                let file = try? JSONDecoder.snakeCase.decode(ReportRenderer.JSONFile.self, from: data)
            else { throw Failure(description: "not a reconciliation report in JSON") }
            report = file.content
            claimed = file.contentSha256
        case .html:
            guard let start = text.range(of: ReportRenderer.contentMarker),
                let end = text.range(of: "</script>", range: start.upperBound..<text.endIndex),
                let data = Data(base64Encoded: String(text[start.upperBound..<end.lowerBound])),
                let decoded = try? ReportDigest.decode(data)
            else { throw Failure(description: "the HTML file carries no report content") }
            guard ReportDigest.sha256(data) == ReportDigest.sha256(try ReportDigest.canonical(decoded)) else {
                throw Failure(description: "the embedded content is not in canonical form")
            }
            report = decoded
            claimed = ReportDigest.sha256(data)
        case .table, .csv:
            guard let expected else {
                throw Failure(
                    description:
                        "a \(format.rawValue) report carries only its hash: verify it against the store with --site")
            }
            guard try ReportRenderer.render(expected, as: format) == text else {
                throw Failure(
                    description: "the store gives a different report for \(expected.at): the store or the file changed")
            }
            return Outcome(format: format, digest: ReportDigest.sha256(try ReportDigest.canonical(expected)))
        }
        let digest = ReportDigest.sha256(try ReportDigest.canonical(report))
        guard digest == claimed else {
            throw Failure(
                description: "the content's SHA-256 is \(digest), the file claims \(claimed): the content was changed")
        }
        guard try ReportRenderer.render(report, as: format) == text else {
            throw Failure(description: "the file differs from the report its content renders to: it was edited")
        }
        if let expected, try ReportDigest.canonical(expected) != ReportDigest.canonical(report) {
            throw Failure(
                description: "the store gives a different report for \(report.at): the store or the file changed")
        }
        return Outcome(format: format, digest: digest)
    }

    /// What a report was made for: its instant, window and location filter, so the store can be asked
    /// for the same report again. `nil` when the file says nothing readable.
    public static func parameters(of text: String) -> (at: String, windowSeconds: Double, location: String?)? {
        switch detect(text) {
        case .json:
            guard let data = text.data(using: .utf8),
                let file = try? JSONDecoder.snakeCase.decode(ReportRenderer.JSONFile.self, from: data)
            else { return nil }
            return (file.content.at, file.content.windowSeconds, file.content.locationFilter)
        case .html:
            guard let start = text.range(of: ReportRenderer.contentMarker),
                let end = text.range(of: "</script>", range: start.upperBound..<text.endIndex),
                let data = Data(base64Encoded: String(text[start.upperBound..<end.lowerBound])),
                let report = try? ReportDigest.decode(data)
            else { return nil }
            return (report.at, report.windowSeconds, report.locationFilter)
        case .table:
            let pattern = #"as of (\S+), window ([0-9.]+) s, (all locations|location (\S+))"#
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
            else { return nil }
            func group(_ index: Int) -> String? {
                Range(match.range(at: index), in: text).map { String(text[$0]) }
            }
            guard let at = group(1), let window = group(2).flatMap(Double.init) else { return nil }
            return (at, window, group(4))
        case .csv:
            guard let rows = try? LedgerCSV.records(text), rows.count > 1 else { return nil }
            let header = rows[0]
            guard let at = header.firstIndex(of: "at"), let window = header.firstIndex(of: "window_s"),
                let filter = header.firstIndex(of: "location_filter"), rows[1].count == header.count,
                let seconds = Double(rows[1][window])
            else { return nil }
            return (rows[1][at], seconds, rows[1][filter].isEmpty ? nil : rows[1][filter])
        }
    }

    static func detect(_ text: String) -> ReportRenderer.Format {
        if text.hasPrefix("{") { return .json }
        if text.hasPrefix("<!DOCTYPE html>") { return .html }
        if text.hasPrefix(ReportRenderer.csvColumns.joined(separator: ",")) { return .csv }
        return .table
    }
}

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
