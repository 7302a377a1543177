import Foundation
import Mustache

/// Renders the dashboard's pages from their view models through the kept Mustache templates.
///
/// The templates are resources (`Templates/*.mustache`), read and parsed once, here; rendering is pure
/// and does no I/O. Every value goes through Mustache's `{{ }}`, which HTML-escapes it; no template uses
/// the unescaped forms. Pages share `layout.mustache` (its CSS and refresh script inline: no page loads
/// anything from elsewhere) through Mustache's template inheritance.
public struct DashboardRenderer: Sendable {
    /// The templates a renderer needs, by name; each is `Templates/<name>.mustache`.
    static let templateNames = [
        "layout", "overview", "device", "reconciliation", "sign-in", "problem", "sparkline",
    ]

    private let library: MustacheLibrary

    /// Loads the templates from the module's resources, which the build puts beside the executable (SwiftPM's
    /// `Stockpile_StockpileDashboard.resources`). Found by hand rather than through `Bundle.module`, whose
    /// accessor stops the process when the bundle is missing: a binary copied without it gets this error.
    /// - Throws: `DashboardTemplateError` naming the template that is missing or invalid.
    public init() throws(DashboardTemplateError) {
        let executable = Bundle.main.executableURL?.deletingLastPathComponent()
        let folders = [executable, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            .compactMap { $0?.appendingPathComponent("Stockpile_StockpileDashboard.resources/Templates") }
        guard let directory = folders.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw DashboardTemplateError(
                template: "layout", kind: .missing, line: nil, column: nil,
                message: "the Templates resource folder is in none of \(folders.map(\.path).joined(separator: ", "))")
        }
        try self.init(templates: directory)
    }

    /// Loads the templates from `directory` (`<name>.mustache` each); the tests give it broken ones.
    init(templates directory: URL) throws(DashboardTemplateError) {
        var library = MustacheLibrary()
        for name in Self.templateNames {
            let file = directory.appendingPathComponent("\(name).mustache")
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw DashboardTemplateError(
                    template: name, kind: .missing, line: nil, column: nil, message: "no such file in \(directory.path)"
                )
            }
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw DashboardTemplateError(
                    template: name, kind: .unreadable, line: nil, column: nil, message: "\(error.localizedDescription)")
            }
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw DashboardTemplateError(
                    template: name, kind: .syntax, line: error.context.lineNumber, column: error.context.columnNumber,
                    message: "\(error.error) in “\(error.context.line)”")
            } catch {
                throw DashboardTemplateError(
                    template: name, kind: .syntax, line: nil, column: nil, message: "\(error)")
            }
        }
        self.library = library
    }

    /// The overview page.
    public func overview(_ page: OverviewPage) -> String {
        render(OverviewView(page), with: "overview")
    }

    /// A device's page.
    public func device(_ page: DevicePage) -> String {
        render(DeviceView(page), with: "device")
    }

    /// The reconciliation page.
    public func reconciliation(_ page: ReconciliationPage) -> String {
        render(ReconciliationView(page), with: "reconciliation")
    }

    /// The sign-in page.
    public func signIn(_ page: SignInPage) -> String {
        render(SignInView(page), with: "sign-in")
    }

    /// A 403, 404 or other problem page.
    public func problem(_ page: ProblemPage) -> String {
        render(ProblemView(page), with: "problem")
    }

    private func render(_ view: some Sendable, with template: String) -> String {
        // Every name in `templateNames` was registered by the initialiser, so the lookup cannot fail.
        library.render(view, withTemplate: template) ?? ""
    }
}
