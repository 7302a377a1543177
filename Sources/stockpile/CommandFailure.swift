import ArgumentParser
import Foundation
import StockpileDomain

/// How every subcommand fails: one line on standard error, `stockpile: …`, and exit status 1.
enum CommandFailure {
    /// Writes `message` and returns the exit to throw.
    static func exit(_ message: String) -> ExitCode {
        report(message)
        return ExitCode(1)
    }

    /// Writes `message` without exiting (a probe that goes on reading).
    static func report(_ message: String) {
        FileHandle.standardError.write(Data("stockpile: \(message)\n".utf8))
    }

    /// The site file at `path`, its profiles looked up in `devices` and then the default
    /// directories; a mistake is its FILE:LINE: field: message line and exit 1.
    static func loadSite(_ path: String, devices: [String]) throws -> SiteConfiguration {
        do {
            return try SiteLoader.load(file: path, profileDirectories: devices + ProfileDirectories.defaults)
        } catch {
            throw exit("\(error)")
        }
    }
}
