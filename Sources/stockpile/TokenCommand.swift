import ArgumentParser
import Foundation
import StockpileDomain
import StockpileWeb

/// `stockpile token new --role operator`: a new bearer token for the agent's HTTP server.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Bearer tokens for the dashboard and the API.",
        subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random token (256 bits) and the line for the site file's http.tokens.",
            discussion: """
                The token is printed once and kept nowhere: give it to its holder. The site file keeps only its \
                SHA-256. Roles: viewer (reads), operator (acknowledge, silence), auditor (reconcile, counts), \
                admin (everything, ledger transactions).
                """)

        @Option(help: ArgumentHelp("viewer, operator, auditor or admin.", valueName: "ROLE"))
        var role: String

        @Option(help: ArgumentHelp("Who holds it: the name the agent records for what they do.", valueName: "NAME"))
        var name: String?

        func validate() throws {
            guard AccessRole(rawValue: role) != nil else {
                throw ValidationError("--role: \"\(role)\" is not one of viewer, operator, auditor, admin")
            }
            if let name {
                guard !name.isEmpty, name.count <= 64,
                    name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) })
                else {
                    throw ValidationError("--name: 1 to 64 letters, digits or - _ . @")
                }
            }
        }

        func run() throws {
            let token = TokenAuthority.newToken()
            let holder = name ?? "\(role)-\(UUID().uuidString.prefix(8).lowercased())"
            print("token: \(token)")
            print("site file, under http.tokens:")
            print("  - {name: \(holder), role: \(role), sha256: \(TokenAuthority.digestHex(token))}")
        }
    }
}
