import Crypto
import Foundation
public import StockpileDomain

/// Checks bearer tokens against the site file's SHA-256 hashes, in constant time, and makes new tokens.
///
/// A token is 256 random bits, so its SHA-256 is all the protection it needs: nothing can be guessed from the
/// hash, and hashing costs microseconds per request where a password hash (bcrypt) would cost tens of
/// milliseconds. Every entry is compared in full, whether an earlier one matched or not.
public struct TokenAuthority: Sendable {
    public let entries: [AccessTokenEntry]

    public init(entries: [AccessTokenEntry]) {
        self.entries = entries
    }

    /// The entry `token` belongs to, or nil.
    public func identify(_ token: String) -> AccessTokenEntry? {
        let digest = Array(SHA256.hash(data: Data(token.utf8)))
        var found: AccessTokenEntry?
        for entry in entries where Self.constantTimeEqual(entry.digest, digest) && found == nil {
            found = entry
        }
        return found
    }

    /// Equal length and content, in time that does not depend on where they differ.
    public static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    /// A new token: 32 random bytes from the system's generator, as URL-safe base64 without padding (43
    /// characters), prefixed `spk_` so that a leaked one is recognisable in a log or a paste.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "spk_" + text
    }

    /// The SHA-256 of `token` in lowercase hex: what the site file keeps.
    public static func digestHex(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
