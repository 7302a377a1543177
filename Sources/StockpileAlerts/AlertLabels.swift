/// The labels an alert is identified by, and its fingerprint.
public enum AlertLabels {
    /// Every label name the evaluator sets; `group_by` and silences use these.
    public static let known: Set<String> = [
        "alertname", "severity", "site", "device", "zone", "location", "bus", "point", "limit", "event",
    ]

    /// 16 lowercase hex digits of FNV-1a 64 over the label pairs sorted by name, each name and value
    /// followed by the byte 0xFF.
    ///
    /// The same hash Alertmanager shows as `fingerprint` for the same label set
    /// [src: prometheus/common model/signature.go `labelSetToFingerprint`, `Fingerprint.String` `%016x`],
    /// so an alert can be found by one fingerprint on both sides. An empty set hashes to the offset basis.
    public static func fingerprint(_ labels: [String: String]) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        func add(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 1_099_511_628_211
        }
        for name in labels.keys.sorted() {
            for byte in name.utf8 { add(byte) }
            add(0xFF)
            for byte in labels[name]!.utf8 { add(byte) }
            add(0xFF)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
