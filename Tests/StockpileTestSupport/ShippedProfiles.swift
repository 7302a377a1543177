public import Foundation
public import StockpileDomain

/// The repository the tests run in, found from this file's path (`Tests/StockpileTestSupport/`).
public let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The device profiles the repository ships in `Devices/`.
public enum ShippedProfiles {
    /// `Devices/` itself, for loaders that take profile directories.
    public static var directory: String {
        repository.appendingPathComponent("Devices").path
    }

    /// Every profile, as `Devices/kind/name.yaml`, sorted.
    public static var files: [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".yaml") { files.append("Devices/" + path) }
        }
        return files.sorted()
    }

    /// One profile, by its path in the repository.
    public static func load(_ file: String) throws -> DeviceProfile {
        try ProfileLoader.load(file: repository.appendingPathComponent(file).path)
    }
}
