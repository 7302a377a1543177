public import StockpileDomain
import Foundation

/// Where a site's store lives: `stockpile.sqlite` in its data directory.
public enum SiteStore {
    public static let fileName = "stockpile.sqlite"

    /// The store's path for `site`, or in `dataDirectory` when given (it overrides the site file's).
    public static func path(for site: SiteConfiguration, dataDirectory: String? = nil) -> String {
        let directory = dataDirectory ?? site.dataDirectory
        return URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
    }
}
