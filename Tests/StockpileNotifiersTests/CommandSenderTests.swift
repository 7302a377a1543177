import Foundation
import Glibc
import StockpileAlerts
import StockpileNotifiers
import Testing

@Suite("Command sender")
struct CommandSenderTests {
    /// A fresh directory for one test's scripts and files.
    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stockpile-command-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes an executable `/bin/sh` script. A child shell writes it, so this process never holds it open
    /// for writing: a process that another test forks meanwhile would inherit that descriptor until its
    /// exec, and executing the script while it is held makes exec fail with ETXTBSY (errno 26).
    func script(_ text: String, in directory: URL, named name: String = "notify.sh") throws -> String {
        let url = directory.appendingPathComponent(name)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = [
            "-c", #"printf '%s' "$2" > "$1" && chmod 755 "$1""#, "write-script", url.path,
            "#!/bin/sh\n" + text + "\n",
        ]
        try writer.run()
        writer.waitUntilExit()
        try #require(writer.terminationStatus == 0, "writing \(url.path)")
        return url.path
    }

    func sender(
        _ name: String, path: String, arguments: [String] = [], timeout: Duration = .seconds(10)
    ) throws
        -> CommandSender
    {
        let receiver = AlertReceiver(
            name: name, kind: .command(path: path, arguments: arguments, timeout: timeout),
            policy: NotificationPolicy(), timeout: timeout)
        return try #require(CommandSender(receiver, externalURL: "http://stockpile.local:8080", logger: quietLogger))
    }

    @Test("the program gets the webhook body on standard input, its arguments as given, no shell between")
    func standardInput() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("body with spaces.json")
        let path = try script(#"cat > "$1""#, in: folder)
        let notification = bayNotification(receiver: "siren")
        try await sender("siren", path: path, arguments: [copy.path]).send(notification)
        let written = try Data(contentsOf: copy)
        try AlertmanagerWebhookFormat.validate(written)
        let expected = AlertmanagerWebhookBody(notification, externalURL: "http://stockpile.local:8080")
        #expect(try JSONDecoder().decode(AlertmanagerWebhookBody.self, from: written) == expected)
        #expect(deliveries("siren", "success") == 1)
    }

    @Test("a program that never ends is killed at its limit: a command_killed error")
    func killedAtLimit() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try script("sleep 1000", in: folder)
        let error = await #expect(throws: DeliveryError.self) {
            try await sender("gsm-hang", path: path, timeout: .milliseconds(400)).send(bayNotification(receiver: "x"))
        }
        let delivery = try #require(error)
        #expect(delivery.kind == .commandKilled)
        #expect(delivery.code == Int(SIGTERM))
        #expect(delivery.message.contains("time limit of 400 ms"))
        #expect(deliveries("gsm-hang", "command_killed") == 1)
    }

    @Test("a program that exits while a child it started holds its output is done when it exits")
    func backgroundChild() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let child = folder.appendingPathComponent("child.pid")
        // The child outlives the limit: were the sender waiting for the pipe, it would be killed at 20 s.
        let path = try script(#"cat > /dev/null; echo sent; sleep 30 & echo $! > "$1"; exit 0"#, in: folder)
        try await sender("leaves-child", path: path, arguments: [child.path], timeout: .seconds(20)).send(
            bayNotification(receiver: "x"))
        #expect(deliveries("leaves-child", "success") == 1)
        let pid = try #require(
            Int32(try String(contentsOf: child, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, SIGKILL) == 0, "the child was still running when the sender returned")
    }

    @Test("a program that ignores SIGTERM gets SIGKILL after the grace")
    func ignoresTerm() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try script("trap '' TERM\nwhile :; do sleep 1; done", in: folder)
        // SIGTERM at 1.5 s: time enough for the shell to set its trap on a loaded machine.
        let error = await #expect(throws: DeliveryError.self) {
            try await sender("stubborn", path: path, timeout: .seconds(2)).send(bayNotification(receiver: "x"))
        }
        let delivery = try #require(error)
        #expect(delivery.kind == .commandKilled)
        #expect(delivery.code == Int(SIGKILL))
    }

    @Test("exit status 3 is a command_exit error with the code and what the program wrote")
    func exitStatus() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try script("cat > /dev/null\necho 'modem not found' >&2\necho 'tried ttyUSB0'\nexit 3", in: folder)
        let error = await #expect(throws: DeliveryError.self) {
            try await sender("gsm", path: path).send(bayNotification(receiver: "gsm"))
        }
        let delivery = try #require(error)
        #expect(delivery.kind == .commandExit)
        #expect(delivery.code == 3)
        #expect(delivery.message == "\(path) exited with status 3 (stderr: modem not found; stdout: tried ttyUSB0)")
        #expect(deliveries("gsm", "command_exit") == 1)
    }

    @Test("a program that is not there is a command_start error")
    func missingProgram() async throws {
        let error = await #expect(throws: DeliveryError.self) {
            try await sender("nothing", path: "/nonexistent/stockpile-notify").send(bayNotification(receiver: "x"))
        }
        #expect(error?.kind == .commandStart)
        #expect(error?.message.hasPrefix("/nonexistent/stockpile-notify could not be started") == true)
    }

    @Test("the program inherits none of the agent's open files")
    func noInheritedDescriptors() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let marker = folder.appendingPathComponent("agent-database")
        try Data("secret".utf8).write(to: marker)
        // Opened without O_CLOEXEC, as a careless library might.
        let descriptor = open(marker.path, O_RDONLY)
        try #require(descriptor > 2)
        defer { close(descriptor) }
        let path = try script(
            #"[ "$(readlink /proc/$$/fd/$1)" = "$2" ] && { echo inherited >&2; exit 9; }"# + "\nexit 0", in: folder)
        try await sender("fds", path: path, arguments: ["\(descriptor)", marker.path]).send(
            bayNotification(receiver: "fds"))
        // The check itself works: the same test in a shell that did inherit the file finds it.
        let inherited = try script(#"exec "$1" "$2" "$3" 3<"$3""#, in: folder, named: "inherit.sh")
        let error = await #expect(throws: DeliveryError.self) {
            try await sender("fds-inherited", path: inherited, arguments: [path, "3", marker.path]).send(
                bayNotification(receiver: "fds"))
        }
        #expect(error?.code == 9)
    }

    @Test("a program that closes its input unread is no failure and no SIGPIPE; it starts with SIGPIPE at default")
    func unreadInput() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Exit 7 when the program would ignore SIGPIPE (bit 13 of SigIgn, from proc(5)).
        let path = try script(
            """
            exec 0<&-
            mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)
            [ $((0x$mask & 0x1000)) -eq 0 ] || exit 7
            sleep 0.2
            """, in: folder)
        // A body far past a pipe's 64 KiB, so the agent is still writing when the program has gone.
        var tracker = AlertTracker()
        let long = AlertCondition(
            rule: "long", labels: ["alertname": "long"], severity: .info, status: .active,
            summary: String(repeating: "x", count: 300_000))
        _ = tracker.update(conditions: [long], now: Date())
        let notification = AlertNotification(
            receiver: "closed-input", groupKey: "{}:{}", groupLabels: [:], alerts: tracker.alerts, reason: .first)
        try await sender("closed-input", path: path).send(notification)
        #expect(deliveries("closed-input", "success") == 1)
    }

    @Test("the grace between SIGTERM and SIGKILL is a quarter of the limit, at most 2 s")
    func grace() {
        #expect(CommandSender.grace(for: .milliseconds(400)) == .milliseconds(100))
        #expect(CommandSender.grace(for: .seconds(10)) == .seconds(2))
        #expect(CommandSender.grace(for: .seconds(600)) == .seconds(2))
    }
}
