import ServiceLifecycle

/// The lines a long-running command prints to say it has started, printed from inside its
/// `ServiceGroup`: the group traps SIGTERM and SIGINT before it runs any service, so whoever waits for
/// these lines and then signals the process gets a drain and exit 0, never the default action that
/// kills a process whose handlers are not installed yet.
struct StartupAnnouncement: Service {
    let lines: [String]

    func run() async throws {
        // One write: a reader that has the first line has them all, whatever the other services print.
        Output.line(lines.joined(separator: "\n"))
    }

    /// In a group: it returns at once, and that must not end the group.
    var configuration: ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: self, successTerminationBehavior: .ignore)
    }
}
