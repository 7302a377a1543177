import ArgumentParser
import Foundation
import StockpileAlerts
import StockpileDomain
import StockpileStore

extension AlertsCommand {
    /// `alerts ack ID --by NAME --comment "…"`: through the running agent when there is one, otherwise
    /// straight into the store. Either way the acknowledgement is recorded once.
    struct Acknowledge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ack",
            abstract: "Acknowledge a firing alert: reminders stop and the beacon goes off for it; the record stays.",
            discussion: """
                While an agent holds the data directory, the request is left in the store for it and this waits \
                up to --wait (5 s) for its answer (exit 1 when it refuses or does not answer). Without an agent \
                the acknowledgement is written directly.
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The alert's id (`alerts list`).", valueName: "ID"), transform: AlertsOutput.id)
        var id: Int

        @Option(help: ArgumentHelp("Who takes the alert on.", valueName: "NAME"), transform: AlertsOutput.name)
        var by: String

        @Option(help: ArgumentHelp("What they are doing about it.", valueName: "TEXT"), transform: AlertsOutput.comment)
        var comment: String

        @Option(
            help: ArgumentHelp("How long to wait for a running agent's answer (100ms–10m).", valueName: "DURATION"),
            transform: OptionValue.duration(in: .milliseconds(100) ... .seconds(600)))
        var wait: Duration = .seconds(5)

        func run() async throws {
            let site = try storeOptions.loadSite()
            let path = storeOptions.path(site: site)
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            let database = try storeOptions.openForWriting(site: site)
            guard let stored = try await database.alert(id: id) else { throw CommandFailure.exit("no alert #\(id)") }
            if AgentPresence.isRunning(dataDirectory: directory) {
                try await throughAgent(database, directory: directory)
            } else {
                try await directly(database, stored: stored)
            }
        }

        /// Leaves the request for the agent and waits for its outcome; withdraws it when no answer comes.
        private func throughAgent(_ database: AppDatabase, directory: String) async throws {
            let request = try await database.requestAcknowledgement(alert: id, by: by, comment: comment, at: Date())
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: wait)
            while clock.now < deadline {
                if let answer = try await database.request(id: request), answer.isDone {
                    try report(answer)
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            // Withdrawn, so that an agent that answers later does not acknowledge behind the user's back;
            // if it answered in between, its answer stands and is reported.
            if try await !database.completeRequest(id: request, at: Date(), outcome: "withdrawn: nobody waited") {
                if let answer = try await database.request(id: request) { try report(answer) }
                return
            }
            throw CommandFailure.exit(
                "#\(id): the agent holding \(directory) did not answer within "
                    + "\(DurationText.describe(wait)); nothing was acknowledged")
        }

        private func report(_ answer: AlertRequest) throws {
            if let refusal = answer.outcome { throw CommandFailure.exit(refusal) }
            print("acknowledged #\(id) as \(by) (through the running agent)")
        }

        /// No agent: the store's tracker, acknowledged and saved in one transaction.
        private func directly(_ database: AppDatabase, stored: Alert) async throws {
            guard stored.state.isOpen else { throw CommandFailure.exit("#\(id): is \(stored.state.rawValue)") }
            let acknowledged: Alert?
            do {
                acknowledged = try await database.acknowledgeWithoutAgent(
                    alert: id, by: by, comment: comment, at: Date())
            } catch let error as AlertTracker.AcknowledgementError {
                throw CommandFailure.exit(error.description)
            }
            guard let alert = acknowledged else { throw CommandFailure.exit("no alert #\(id)") }
            print("acknowledged #\(id) \(alert.rule) \(AlertsOutput.subject(alert)) as \(by)")
        }
    }
}

/// Whether an agent holds a data directory, asked without taking it from one.
///
/// The agent holds an exclusive `flock` on `DIR/agent.lock` for its whole life (`DataDirectoryLock`). A
/// shared, non-blocking attempt fails at once while it does; when it succeeds nobody holds it, and it is
/// released at once. The file is never created or written here.
enum AgentPresence {
    static func isRunning(dataDirectory: String) -> Bool {
        let path = (dataDirectory as NSString).appendingPathComponent("agent.lock")
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        // No lock file: no agent has ever run here.
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
