import Foundation
import Glibc
import StockpileTestSupport
import Testing

/// Hostile values on every option of every subcommand and on every numeric field of the shipped
/// site, profile and scenario files, each run as the real `stockpile` binary.
///
/// A case passes when the child exits (no signal, no hang) with status 1 or 2 and standard error
/// names the place: the option, or the mutated file and line. New commands, options and files are
/// one entry in `HostileSweep.options` or `HostileSweep.files`.
///
/// "Unreadable file": the suite usually runs as root, for whom chmod 000 changes nothing, so the
/// unreadable cases are a directory, a file of invalid UTF-8 and a FIFO (refused by type, so it
/// never blocks); a chmod-000 file is added only when the suite does not run as root.
@Suite("Hostile input never crashes a command", .serialized)
struct HostileInputSweepTests {
    @Test("every option of every subcommand refuses hostile values with exit 1 or 2, naming the option")
    func options() async throws {
        let scratch = try Scratch()
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let cases = HostileSweep.optionCases(scratch)
        #expect(cases.count > 150)
        let failures = await HostileSweep.run(cases)
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) cases:\n\(failures.joined(separator: "\n"))")
    }

    @Test("every numeric field of the site, profile and scenario files refuses hostile values at its line")
    func fileFields() async throws {
        let scratch = try Scratch()
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let cases = try HostileSweep.fileCases(scratch)
        #expect(cases.count > 300)
        let failures = await HostileSweep.run(cases)
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) cases:\n\(failures.joined(separator: "\n"))")
    }
}

/// A temporary directory with the hostile files every path option is given.
struct Scratch {
    let directory: URL
    var missing: String { directory.appendingPathComponent("missing.yaml").path }
    var aDirectory: String { directory.appendingPathComponent("a-directory").path }
    var invalidUTF8: String { directory.appendingPathComponent("invalid-utf8.yaml").path }
    var fifo: String { directory.appendingPathComponent("fifo.yaml").path }
    var unreadable: String { directory.appendingPathComponent("unreadable.yaml").path }
    var isRoot: Bool { geteuid() == 0 }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stockpile-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("a-directory"), withIntermediateDirectories: true)
        try Data([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: invalidUTF8))
        _ = mkfifo(fifo, 0o644)
        try Data("name: x\n".utf8).write(to: URL(fileURLWithPath: unreadable))
        chmod(unreadable, 0)
    }

    /// The hostile paths: empty, missing, a directory, invalid UTF-8, a FIFO, and (not as root) chmod 000.
    var hostilePaths: [String] {
        ["", missing, aDirectory, invalidUTF8, fifo] + (isRoot ? [] : [unreadable])
    }

    /// Writes `text` as a new file beside the others and returns its path.
    func write(_ text: String, name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

enum HostileSweep {
    struct Case: Sendable {
        var arguments: [String]
        /// Text standard error must contain: the option's name, or `FILE:LINE`.
        var names: String
        /// What was changed, for the failure line.
        var change = ""
    }

    /// What an option takes, and so which hostile values it gets.
    enum Kind {
        /// A number; `extra` are the values out of this option's range besides the common ones.
        case number(extra: [String])
        /// A file or directory path.
        case path
        /// A directory that must exist.
        case directory
        /// Any other text, with the hostile values to try.
        case text([String])
    }

    struct Option {
        var command: [String]
        var name: String
        var kind: Kind
        /// Arguments that make the command valid apart from the option under test.
        var base: [String]
    }

    /// Non-finite, huge, empty and non-numbers: wrong for every number anywhere.
    static let commonNumbers = ["inf", "-inf", "nan", "1e300", "", "abc", "99999999999999999999"]

    /// Every option of every subcommand. A new option is one line here.
    static func options(_ scratch: Scratch) -> [Option] {
        let probeTCP = ["--tcp", "127.0.0.1:9", "--read", "holding:0:1", "--timeout", "50ms"]
        let probe = { (name: String, kind: Kind) in
            Option(command: ["probe"], name: name, kind: kind, base: probeTCP.replacing(name))
        }
        let site = "Simulators/demo-warehouse/site.yaml"
        let scenario = "Simulators/demo-warehouse/scenario.yaml"
        let store = ["--store", scratch.missing]
        return [
            probe("--baud", .number(extra: ["-1", "0", "1", "12345", "99999999999"])),
            probe("--data-bits", .number(extra: ["-1", "0", "5", "9"])),
            probe("--stop-bits", .number(extra: ["-1", "0", "3"])),
            probe("--unit", .number(extra: ["-1", "256", "1000"])),
            probe("--count", .number(extra: ["-1", "0"])),
            probe("--interval", .number(extra: ["-1", "0", "0.0000001", "1e12"])),
            probe("--timeout", .number(extra: ["-1", "0", "0.0001", "1e12", "100000"])),
            probe("--parity", .text(["", "X", "even"])),
            Option(
                command: ["probe"], name: "--tcp",
                kind: .text(["", "127.0.0.1:15020:1", "host:99999", "host:-1", "host:", "[::1"]),
                base: ["--read", "holding:0:1", "--timeout", "50ms"]),
            Option(
                command: ["probe"], name: "--read",
                kind: .text(["", "holding:0:0", "holding:0:126", "holding:-1:2", "holding:0:inf", "bits:0:1"]),
                base: ["--tcp", "127.0.0.1:9", "--timeout", "50ms"]),
            Option(
                command: ["probe"], name: "--profile", kind: .path,
                base: ["--tcp", "127.0.0.1:9", "--timeout", "50ms"]),
            Option(command: ["simulate"], name: "--scenario", kind: .path, base: []),
            Option(
                command: ["simulate"], name: "--speed", kind: .number(extra: ["-1", "0", "1e12", "1e10"]),
                base: ["--scenario", scenario]),
            Option(
                command: ["simulate"], name: "--seed", kind: .number(extra: ["-1", "1.5"]),
                base: ["--scenario", scenario]),
            Option(
                command: ["simulate"], name: "--control",
                kind: .text(["", "127.0.0.1", "8.8.8.8:1", "127.0.0.1:99999", "127.0.0.1:-1"]),
                base: ["--scenario", scenario]),
            // What is at the link's path is refused, never replaced: a directory, a file, a FIFO.
            Option(
                command: ["simulate"], name: "--rtu-link",
                kind: .text(["", scratch.aDirectory, scratch.invalidUTF8, scratch.fifo, "/nonexistent/x/link"]),
                base: ["--scenario", scenario]),
            Option(command: ["agent"], name: "--site", kind: .path, base: []),
            Option(
                command: ["agent"], name: "--metrics",
                kind: .text(["", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:15020:1"]),
                base: ["--site", site]),
            Option(
                command: ["agent"], name: "--http",
                kind: .text(["", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:15020:1", "0.0.0.0:0"]),
                base: ["--site", site]),
            Option(command: ["token", "new"], name: "--role", kind: .text(["", "root", "ADMIN"]), base: []),
            Option(
                command: ["token", "new"], name: "--name",
                kind: .text(["", String(repeating: "n", count: 200), "a b"]),
                base: ["--role", "viewer"]),
            Option(command: ["agent"], name: "--log-level", kind: .text(["", "loud"]), base: ["--site", site]),
            Option(command: ["status"], name: "--site", kind: .path, base: []),
            Option(command: ["status"], name: "--store", kind: .path, base: []),
            Option(command: ["readings"], name: "--site", kind: .path, base: ["--device", "bay-a1-scale"]),
            Option(command: ["readings"], name: "--store", kind: .path, base: ["--device", "bay-a1-scale"]),
            Option(
                command: ["readings"], name: "--limit", kind: .number(extra: ["-1", "0"]),
                base: ["--device", "bay-a1-scale"] + store),
            Option(
                command: ["readings"], name: "--since", kind: .text(["", "inf", "-1h", "abc", "1e300h", "2026-13-45"]),
                base: ["--device", "bay-a1-scale"] + store),
            Option(
                command: ["readings"], name: "--until", kind: .text(["", "inf", "abc", "2026-13-45"]),
                base: ["--device", "bay-a1-scale"] + store),
            Option(command: ["command"], name: "--site", kind: .path, base: ["--device", "bay-a1-scale", "tare"]),
            // Profile directories: each command that takes one refuses what is not a directory.
            Option(command: ["config", "check"], name: "--devices", kind: .directory, base: [site]),
            Option(command: ["simulate"], name: "--devices", kind: .directory, base: ["--scenario", scenario]),
            Option(command: ["agent"], name: "--devices", kind: .directory, base: ["--site", site]),
            Option(command: ["status"], name: "--devices", kind: .directory, base: store),
            Option(
                command: ["command"], name: "--devices", kind: .directory,
                base: ["--site", site, "--device", "x", "tare"]),
            // The ledger, counts and reconciliation: the demo site for its locations, a scratch store.
            Option(
                command: ["ledger", "show"], name: "--at", kind: .text(["", "inf", "abc", "2026-13-45", "-1h"]),
                base: ["--site", site] + store),
            Option(command: ["ledger", "show"], name: "--store", kind: .path, base: ["--site", site]),
            Option(command: ["ledger", "verify"], name: "--store", kind: .path, base: ["--site", site]),
            Option(command: ["ledger", "export"], name: "--store", kind: .path, base: ["--site", site]),
            Option(
                command: ["ledger", "record"], name: "--kg", kind: .number(extra: ["1e10", "-1e10"]),
                base: ledgerRecord.replacing("--kg")),
            Option(
                command: ["ledger", "record"], name: "--time", kind: .text(["", "inf", "abc", "2026-13-45"]),
                base: ledgerRecord.replacing("--time")),
            Option(
                command: ["count", "record"], name: "--kg", kind: .number(extra: ["-1", "1e10"]),
                base: countRecord.replacing("--kg")),
            Option(
                command: ["count", "record"], name: "--time", kind: .text(["", "inf", "abc", "2026-13-45"]),
                base: countRecord.replacing("--time")),
            Option(command: ["count", "sheet"], name: "--store", kind: .path, base: ["--site", site]),
            Option(
                command: ["reconcile"], name: "--at", kind: .text(["", "inf", "abc", "2026-13-45"]),
                base: ["--site", site] + store),
            Option(
                command: ["reconcile"], name: "--window", kind: .text(["", "inf", "0s", "-5m", "abc", "1e300h"]),
                base: ["--site", site] + store),
            Option(
                command: ["reconcile"], name: "--format", kind: .text(["", "pdf"]), base: ["--site", site] + store),
            Option(command: ["reconcile"], name: "--store", kind: .path, base: ["--site", site]),
            Option(
                command: ["reconcile"], name: "--between", kind: .text(["", "abc", "inf"]),
                base: ["--site", site] + store),
        ] + alertOptions(scratch)
    }

    /// The `alerts` commands: the reading ones against a missing store, the writing ones against a store
    /// in the scratch directory that no valid case would reach (every value here is refused first).
    static func alertOptions(_ scratch: Scratch) -> [Option] {
        let store = ["--store", scratch.missing]
        let written = ["--store", scratch.directory.appendingPathComponent("alerts/stockpile.sqlite").path]
        let names = HostileSweep.Kind.text(["", "   ", "two\nlines", String(repeating: "n", count: 201)])
        let comments = HostileSweep.Kind.text(["", " ", "\n", String(repeating: "c", count: 2001)])
        let times = HostileSweep.Kind.text(["", "inf", "nan", "abc", "-1h", "2026-13-45", "2026-02-30T00:00:00Z"])
        let silence =
            ["silence", "--match", "device=bay-b1-scale", "--for", "2h", "--by", "ana", "--comment", "service"]
            + written
        let ack = ["1", "--by", "ana", "--comment", "seen"] + written
        let option = { (command: String, name: String, kind: Kind, base: [String]) in
            Option(command: ["alerts", command], name: name, kind: kind, base: base)
        }
        return [
            option("list", "--store", .path, []),
            option("list", "--site", .path, []),
            option("show", "--store", .path, ["1"]),
            option("silences", "--store", .path, []),
            option("history", "--store", .path, []),
            option(
                "history", "--since",
                .text(["", "inf", "nan", "-1h", "abc", "1e300h", "99999d", "2026-13-45", "-0.5"]), store),
            option("ack", "--by", names, ack.replacing("--by")),
            option("ack", "--comment", comments, ack.replacing("--comment")),
            option("ack", "--wait", .number(extra: ["-1", "0", "0s", "1e300h", "99999d", "50ms"]), ack),
            option(
                "silence", "--for",
                .number(extra: ["-1", "0", "0s", "-5m", "0.5", "1e300h", "99999d", "1e12"]),
                Array(silence.dropFirst()).replacing("--for")),
            option("silence", "--until", times, Array(silence.dropFirst()).replacing("--for")),
            option("silence", "--starts", times, Array(silence.dropFirst())),
            option(
                "silence", "--match",
                .text(["", "device", "=x", "device~x", "devcie=x", "zone=~(", "zone!~[", "de vice=x", "device=x\ny"]),
                Array(silence.dropFirst()).replacing("--match")),
            option("silence", "--by", names, Array(silence.dropFirst()).replacing("--by")),
            option("silence", "--comment", comments, Array(silence.dropFirst()).replacing("--comment")),
            option("unsilence", "--by", names, ["0b0e", "--store", scratch.missing]),
        ]
    }

    /// The alerts commands' arguments: an alert id, a silence id.
    static func alertArgumentCases(_ scratch: Scratch) -> [Case] {
        let ids = commonNumbers + ["-1", "0", "1.5", "1e3", "1000000000001", "9223372036854775808"]
        var cases: [Case] = []
        for id in ids {
            cases.append(Case(arguments: ["alerts", "show", "--store", scratch.missing, "--", id], names: "<ID>"))
            cases.append(
                Case(
                    arguments: [
                        "alerts", "ack", "--by", "ana", "--comment", "c", "--store", scratch.missing, "--", id,
                    ],
                    names: "<ID>"))
        }
        for id in ["", " ", "../x", "a b", "x;y", String(repeating: "a", count: 101)] {
            cases.append(
                Case(
                    arguments: ["alerts", "unsilence", "--by", "ana", "--store", scratch.missing, "--", id],
                    names: "<ID>"))
        }
        // A usage error, not a store error: missing options are named.
        cases.append(Case(arguments: ["alerts", "ack", "1", "--store", scratch.missing], names: "--by"))
        cases.append(
            Case(
                arguments: [
                    "alerts", "silence", "--match", "device=x", "--by", "a", "--comment", "c", "--store",
                    scratch.missing,
                ], names: "--for or --until"))
        return cases
    }

    /// A complete `ledger record` but for the option under test.
    static let ledgerRecord = [
        "--site", "Simulators/demo-warehouse/site.yaml", "--store", "/nonexistent/stockpile.sqlite", "--kind",
        "receipt", "--lot", "L1", "--location", "bay-a1",
        "--kg", "10", "--actor", "clerk", "--document", "D1", "--time", "2026-12-01T08:00:00Z",
    ]

    /// A complete `count record` but for the option under test.
    static let countRecord = [
        "--site", "Simulators/demo-warehouse/site.yaml", "--store", "/nonexistent/stockpile.sqlite", "--location",
        "bay-a1", "--kg", "10", "--counter", "auditor",
        "--document", "C1", "--time", "2026-12-01T08:00:00Z",
    ]

    static func optionCases(_ scratch: Scratch) -> [Case] {
        var cases: [Case] = []
        for option in options(scratch) {
            let values: [String]
            switch option.kind {
            case .number(let extra): values = commonNumbers + extra
            case .path: values = scratch.hostilePaths
            case .directory: values = ["", scratch.missing, scratch.invalidUTF8, scratch.fifo]
            case .text(let texts): values = texts
            }
            for value in values {
                // A hostile path is named by itself (the loader's FILE: message) or, when empty, by the option.
                let names = if case .path = option.kind, !value.isEmpty { value } else { option.name }
                cases.append(Case(arguments: option.command + option.base + [option.name, value], names: names))
            }
        }
        // Arguments rather than options: the site file of `config check`.
        for path in scratch.hostilePaths where !path.isEmpty {
            cases.append(Case(arguments: ["config", "check", path], names: path))
        }
        cases.append(Case(arguments: ["config", "check", ""], names: "SITE.yaml"))
        // The ledger file and the report file are arguments too.
        for path in scratch.hostilePaths where !path.isEmpty {
            cases.append(
                Case(
                    arguments: [
                        "ledger", "import", path, "--site", "Simulators/demo-warehouse/site.yaml", "--store",
                        scratch.missing,
                    ], names: path))
            cases.append(Case(arguments: ["reconcile", "verify", path], names: path))
        }
        cases += alertArgumentCases(scratch)
        // --guess-order interprets registers; on a bit table it is a usage error.
        cases.append(
            Case(
                arguments: ["probe", "--tcp", "127.0.0.1:9", "--read", "coil:0:4", "--guess-order"],
                names: "--guess-order"))
        return cases
    }

    // MARK: - File fields

    /// A shipped file whose numeric fields are mutated one at a time, and how it is loaded.
    struct FileUnderTest {
        var path: String
        /// The command that loads the mutated copy at `$0`.
        var command: @Sendable (String) -> [String]
        /// Keys whose value is text, although a number is written there.
        var textKeys: Set<String> = []
        /// Per key, the values out of range besides the common ones.
        var outOfRange: [String: [String]] = [:]
    }

    /// Every file whose numeric fields are swept. A new file is one entry here.
    static let files: [FileUnderTest] = {
        let profile: @Sendable (String) -> [String] = {
            ["probe", "--tcp", "127.0.0.1:9", "--timeout", "50ms", "--profile", $0]
        }
        let profileRanges: [String: [String]] = [
            "decimals": ["-1", "10"], "bit": ["-1", "16"], "max_registers": ["0", "126"], "length": ["0", "126"],
            "address_base": ["2", "-1"], "scale": ["0"],
        ]
        var files: [FileUnderTest] = [
            FileUnderTest(
                path: "Simulators/demo-warehouse/site.yaml", command: { ["config", "check", $0] },
                outOfRange: [
                    "port": ["0", "65536"], "unit": ["-1", "256"], "capacity": ["0", "-5"], "division": ["0", "-1"],
                    "baud": ["1", "12345"], "stop_bits": ["0", "3"], "data_bits": ["7", "9"],
                    "connections": ["0", "17"],
                    "raw_days": ["0", "-1"], "aggregate_days": ["0"], "retries": ["-1", "11"],
                ]),
            FileUnderTest(
                path: "Simulators/demo-warehouse/scenario.yaml", command: { ["simulate", "--scenario", $0] },
                outOfRange: [
                    "capacity": ["0", "-5"], "division": ["0", "-1", "0.3", "6000"], "settling_s": ["-1", "1e9"],
                    "humidity": ["200", "-1"], "start_hour": ["99", "-1"], "unit": ["0", "248"], "seed": ["-1"],
                    "kg": ["-1", "1e308"], "target": ["200"], "port": ["65536"], "load": ["-1"], "baud": ["1"],
                ]),
            FileUnderTest(
                path: "Simulators/faults.yaml", command: { ["simulate", "--scenario", $0] },
                outOfRange: ["probability": ["2", "-0.5"], "code": ["0", "12"], "requests": ["0"]]),
        ]
        for profilePath in shippedProfilePaths() {
            files.append(
                FileUnderTest(
                    path: profilePath, command: profile, textKeys: ["number", "value"], outOfRange: profileRanges))
        }
        return files
    }()

    /// Keys that hold text in every file, though the text may start with a digit (`host: 127.0.0.1`).
    static let textKeys: Set<String> = ["name", "host", "label", "model", "vendor", "document", "number", "pages"]

    /// The values every numeric field refuses, whatever its range: non-finite, out of any type's
    /// range, and wrong YAML types.
    static let commonFieldValues = [".inf", ".nan", "abc", "[1, 2]", "true"]

    /// `key: number` in block or flow style.
    static let numericField = try! NSRegularExpression(
        pattern: #"(?:^|[\s{,])([a-z_]+):[ ]+(-?[0-9][0-9._e+-]*)(?=[ ]*(?:[,}]|#|$))"#)

    static func fileCases(_ scratch: Scratch) throws -> [Case] {
        var cases: [Case] = []
        var counter = 0
        for file in files {
            let original = try String(contentsOf: repository.appendingPathComponent(file.path), encoding: .utf8)
            let lines = original.components(separatedBy: "\n")
            for (index, line) in lines.enumerated() {
                let text = line as NSString
                for match in numericField.matches(in: line, range: NSRange(location: 0, length: text.length)) {
                    let key = text.substring(with: match.range(at: 1))
                    if file.textKeys.contains(key) || textKeys.contains(key) { continue }
                    // Text in a comment is not a field.
                    if text.substring(to: match.range.location).contains("#") { continue }
                    let valueRange = match.range(at: 2)
                    let isFlow = line.contains("{")
                    var hostile = commonFieldValues + (file.outOfRange[key] ?? [])
                    // `true` is a valid bit in vectors and coil commands; a flow mapping cannot hold
                    // a flow value unquoted.
                    if key == "value" || key == "values" { hostile.removeAll { $0 == "true" } }
                    if isFlow { hostile.removeAll { $0.hasPrefix("[") || $0.hasPrefix("{") } }
                    for value in hostile {
                        var mutated = lines
                        mutated[index] = text.replacingCharacters(in: valueRange, with: value)
                        counter += 1
                        let name = URL(fileURLWithPath: file.path).lastPathComponent
                        // In the scratch directory: profiles named by the copies resolve through
                        // `Devices/` in the working directory, and no shipped directory gains a file.
                        let copy = try scratch.write(mutated.joined(separator: "\n"), name: "\(counter)-\(name)")
                        let isRangeCase = !commonFieldValues.contains(value)
                        cases.append(
                            Case(
                                arguments: file.command(copy), names: isRangeCase ? copy : "\(copy):\(index + 1)",
                                change: "\(file.path):\(index + 1) \(key): \(value)"))
                    }
                }
            }
        }
        return cases
    }

    static func shippedProfilePaths() -> [String] {
        let root = repository.appendingPathComponent("Devices")
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var paths: [String] = []
        while let next = enumerator?.nextObject() as? String {
            if next.hasSuffix(".yaml") { paths.append("Devices/" + next) }
        }
        return paths.sorted()
    }

    // MARK: - Running

    /// Children at once: one, so the timing tests that run beside the sweep keep their cores on a
    /// 2-core machine (each child is short; the whole sweep takes about a minute and a half here).
    static let parallelChildren = 1

    /// Runs every case, `parallelChildren` at a time; returns one line per case that failed.
    static func run(_ cases: [Case]) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            var failures: [String] = []
            var next = 0
            func add() {
                guard next < cases.count else { return }
                let item = cases[next]
                next += 1
                group.addTask { await judge(item) }
            }
            for _ in 0..<parallelChildren { add() }
            while let result = await group.next() {
                if let result { failures.append(result) }
                add()
            }
            return failures
        }
    }

    static func judge(_ item: Case) async -> String? {
        let shown =
            item.arguments.map { $0.isEmpty ? "''" : $0 }.joined(separator: " ")
            + (item.change.isEmpty ? "" : " [\(item.change)]")
        let outcome: StockpileRunner.Outcome
        do {
            outcome = try await StockpileRunner.run(item.arguments, timeLimit: .seconds(60), lowPriority: true)
        } catch {
            return "\(shown): could not run: \(error)"
        }
        let firstLine = outcome.standardError.split(separator: "\n").first.map(String.init) ?? ""
        if outcome.timedOut { return "\(shown): still running after 60 s (accepted?) \(firstLine)" }
        if outcome.reason == .uncaughtSignal { return "\(shown): ended by signal \(outcome.status)" }
        guard outcome.status == 1 || outcome.status == 2 else {
            return "\(shown): exit \(outcome.status), expected 1 or 2: \(firstLine)"
        }
        guard outcome.standardError.contains(item.names) else {
            return "\(shown): the message does not name \(item.names): \(outcome.standardError.prefix(300))"
        }
        return nil
    }
}

extension Array where Element == String {
    /// These arguments without `name` and its value, so a case can give its own.
    fileprivate func replacing(_ name: String) -> [String] {
        var result: [String] = []
        var skip = false
        for argument in self {
            if skip {
                skip = false
                continue
            }
            if argument == name {
                skip = true
                continue
            }
            result.append(argument)
        }
        return result
    }
}
