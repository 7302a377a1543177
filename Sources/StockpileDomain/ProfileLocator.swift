import Foundation

/// Finds a device profile named in a site or scenario file.
///
/// A relative name is looked up next to the file that names it, then in each profile directory
/// (the repository's `Devices/`, an installed share directory); an absolute path is taken as it is.
public enum ProfileLocator {
    /// The path of the profile `name`, or an error at `field` listing every place looked in.
    public static func resolve(
        _ name: String, field: YAMLField, directories: [String]
    ) throws(ConfigurationError)
        -> String
    {
        let candidates = candidates(for: name, besides: (field.file as NSString).deletingLastPathComponent, directories)
        if let found = firstExisting(candidates) { return found }
        throw field.error("profile \"\(name)\" not found (looked in: \(candidates.joined(separator: ", ")))")
    }

    /// Where to look for `name`, in order: as it is when absolute; else in `base` (the directory of
    /// the file that names it, or the working directory), then in each profile directory.
    public static func candidates(for name: String, besides base: String, _ directories: [String]) -> [String] {
        if name.hasPrefix("/") { return [name] }
        return [(base as NSString).appendingPathComponent(name)]
            + directories.map { ($0 as NSString).appendingPathComponent(name) }
    }

    /// The first candidate that exists.
    public static func firstExisting(_ candidates: [String]) -> String? {
        candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}
