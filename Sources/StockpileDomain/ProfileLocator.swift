import Foundation

/// Finds a device profile named in a site or scenario file.
///
/// A relative name is looked up next to the file that names it, then in each profile directory
/// (the repository's `Devices/`, an installed share directory); an absolute path is taken as it is.
public enum ProfileLocator {
    /// The path of the profile `name`, or an error at `field` listing every place looked in.
    public static func resolve(_ name: String, field: YAMLField, directories: [String]) throws(ConfigurationError)
        -> String
    {
        var candidates: [String]
        if name.hasPrefix("/") {
            candidates = [name]
        } else {
            let directory = (field.file as NSString).deletingLastPathComponent
            candidates = [(directory as NSString).appendingPathComponent(name)]
            candidates += directories.map { ($0 as NSString).appendingPathComponent(name) }
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw field.error("profile \"\(name)\" not found (looked in: \(candidates.joined(separator: ", ")))")
    }
}
