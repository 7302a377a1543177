import Foundation

/// Where device profiles are found when a path is relative.
enum ProfileDirectories {
    /// `Devices/` in the working directory, then the share directory beside an installed binary.
    static var defaults: [String] {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let share = executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/stockpile/Devices").path
        return ["Devices", share]
    }
}
