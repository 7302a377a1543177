/// Reads the site file's `http` section; every error names the file, line and field.
enum HTTPSettingsParser {
    static func parse(_ field: YAMLField) throws(ConfigurationError) -> HTTPSettings {
        try field.allowOnly(["address", "port", "tls", "insecure_http", "tokens", "session_hours"])
        var settings = HTTPSettings()
        if let address = try field.optional("address") {
            let text = try address.nonEmptyString()
            guard !text.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                throw address.error("expected a host name or an IP address, found \"\(text)\"")
            }
            settings.address = text
        }
        if let port = try field.optional("port") { settings.port = try port.int(in: 0...65535) }
        if let tls = try field.optional("tls") {
            try tls.allowOnly(["certificate", "key"])
            settings.tls = HTTPSettings.TLSFiles(
                certificate: try tls.required("certificate").nonEmptyString(),
                key: try tls.required("key").nonEmptyString())
        }
        if let insecure = try field.optional("insecure_http") { settings.insecureHTTP = try insecure.bool() }
        if let hours = try field.optional("session_hours") {
            settings.sessionLifetime = .seconds(try hours.int(in: 1...720) * 3600)
        }
        if !settings.bindsLoopbackOnly, settings.tls == nil, !settings.insecureHTTP {
            throw (try field.optional("address") ?? field).error(
                "\(settings.address) is reachable from other machines: give `tls` (certificate and key) or, on "
                    + "purpose, `insecure_http: true`")
        }
        if let tokens = try field.optional("tokens") {
            var names: Set<String> = []
            var digests: Set<[UInt8]> = []
            for item in try tokens.items() {
                let entry = try parseToken(item)
                guard names.insert(entry.name).inserted else {
                    throw try item.required("name").error("the token name \"\(entry.name)\" is used twice")
                }
                guard digests.insert(entry.digest).inserted else {
                    throw try item.required("sha256").error("the same token is listed twice")
                }
                settings.tokens.append(entry)
            }
        }
        return settings
    }

    /// `{name: night-shift, role: operator, sha256: <64 hex digits>}`.
    private static func parseToken(_ item: YAMLField) throws(ConfigurationError) -> AccessTokenEntry {
        try item.allowOnly(["name", "role", "sha256"])
        let name = try item.required("name").nonEmptyString()
        let role = try item.required("role").choice(AccessRole.self)
        let digestField = try item.required("sha256")
        let hex = try digestField.string().lowercased()
        guard hex.count == 64, let digest = bytes(hex: hex) else {
            throw digestField.error(
                "expected the token's SHA-256 as 64 hex digits (`stockpile token new` prints the line), not the token")
        }
        return AccessTokenEntry(name: name, role: role, digest: digest)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
