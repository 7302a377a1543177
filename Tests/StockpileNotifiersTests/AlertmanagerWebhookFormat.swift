import Foundation
import Testing

/// Alertmanager's webhook message, checked field by field by hand: each required field present with
/// its JSON type [src: prometheus/alertmanager docs/configuration.md `webhook_config`, the version 4
/// body: `version`, `groupKey`, `truncatedAlerts`, `status`, `receiver`, `groupLabels`,
/// `commonLabels`, `commonAnnotations`, `externalURL`, `alerts` with `status`, `labels`,
/// `annotations`, `startsAt`, `endsAt`, `generatorURL`, `fingerprint`].
enum AlertmanagerWebhookFormat {
    /// Whether `text` is an RFC 3339 `date-time` [src: RFC 3339 §5.6], as Go's `time.RFC3339Nano` writes it.
    static func isTimestamp(_ text: String) -> Bool {
        text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})/) != nil
    }

    static func validate(_ data: Data) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object")
        #expect(object["version"] as? String == "4", "version must be the string \"4\"")
        try string(object, "groupKey")
        // JSONSerialization bridges numbers and booleans alike; the decoder tells an integer from both.
        #expect(throws: Never.self, "truncatedAlerts must be an integer") {
            try JSONDecoder().decode(Truncated.self, from: data)
        }
        #expect(["firing", "resolved"].contains(try string(object, "status")), "status must be firing or resolved")
        try string(object, "receiver")
        for field in ["groupLabels", "commonLabels", "commonAnnotations"] { try stringMap(object, field) }
        try string(object, "externalURL")
        let alerts = try #require(object["alerts"] as? [Any], "alerts must be an array")
        #expect(!alerts.isEmpty)
        for element in alerts {
            let alert = try #require(element as? [String: Any], "an alert must be an object")
            #expect(["firing", "resolved"].contains(try string(alert, "status")), "alert status firing or resolved")
            try stringMap(alert, "labels")
            try stringMap(alert, "annotations")
            for field in ["startsAt", "endsAt"] {
                let time = try string(alert, field)
                #expect(isTimestamp(time), "\(field) \(time) is not RFC 3339")
            }
            try string(alert, "generatorURL")
            #expect(
                try string(alert, "fingerprint").wholeMatch(of: /[0-9a-f]{16}/) != nil, "fingerprint: 16 hex digits")
        }
    }

    private struct Truncated: Decodable {
        let truncatedAlerts: Int
    }

    @discardableResult
    private static func string(_ object: [String: Any], _ field: String) throws -> String {
        try #require(object[field] as? String, "\(field) must be a string")
    }

    private static func stringMap(_ object: [String: Any], _ field: String) throws {
        _ = try #require(object[field] as? [String: String], "\(field) must be an object of strings")
    }
}
