import Crypto
public import Foundation

/// The canonical content of a report and its SHA-256: JSON with sorted keys and no whitespace.
///
/// Encoding a decoded report again gives the same bytes (Swift's Double text round-trips), which is
/// what lets `reconcile verify` recompute the hash from the content a file carries.
public enum ReportDigest {
    public static func canonical(_ report: ReconciliationReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(report)
    }

    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    public static func decode(_ data: Data) throws -> ReconciliationReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReconciliationReport.self, from: data)
    }
}
