import Foundation
import GRDB
import Testing

@testable import StockpileStore

/// The SIGKILL test: the StoreCrashProbe helper (Sources/StoreCrashProbe) writes batches through the real
/// ReadingWriter in a child process and prints "flushed N" after each committed flush; the test kills it
/// mid-run, twice on the same file, then checks what the reopened file holds.
@Suite("Crash safety")
struct CrashSafetyTests {
    static let batchSize = 2_000

    @Test("a writer killed with SIGKILL mid-run leaves a sound file holding every batch it reported flushed")
    func sigkillMidRun() async throws {
        let probe = try Self.probeExecutable()
        try await withTemporaryDirectory { directory in
            let path = directory + "/stockpile.sqlite"
            var reported: [String: Int] = [:]
            // Twice: the second run reopens a file the first left mid-transaction.
            for run in 1...2 {
                let device = "probe-\(run)"
                reported[device] = try await Self.runAndKill(probe, path: path, device: device, directory: directory)
            }

            let database = try AppDatabase.open(path: path)
            #expect(try await database.integrityCheck() == ["ok"])
            for (device, flushed) in reported.sorted(by: { $0.key < $1.key }) {
                #expect(flushed >= 3, "the probe reported \(flushed) flushes before the kill")
                // Batch N's readings carry the value N: count them batch by batch.
                let perBatch = try await database.reader.read { db in
                    var counts: [Int: Int] = [:]
                    let rows = try Row.fetchCursor(
                        db,
                        sql: """
                            SELECT value, count(*) AS n FROM reading
                            WHERE series IN (SELECT id FROM series WHERE device = ?) GROUP BY value
                            """,
                        arguments: [device])
                    while let row = try rows.next() { counts[Int(row["value"] as Double)] = row["n"] }
                    return counts
                }
                for batch in 1...flushed {
                    #expect(perBatch[batch] == Self.batchSize, "batch \(batch) of \(device) was reported flushed")
                }
                // The batch in flight at the kill is all there or not at all.
                #expect(perBatch.values.allSatisfy { $0 == Self.batchSize })
                #expect(perBatch.keys.sorted() == Array(1...perBatch.count))
                let present = perBatch.count * Self.batchSize
                // Aggregates, latest values and health events committed with their readings, never apart.
                #expect(
                    try await database.count(
                        #"""
                        SELECT coalesce(sum("count"), 0) FROM minute_aggregate
                        WHERE series IN (SELECT id FROM series WHERE device = ?)
                        """#, [device])
                        == present)
                #expect(
                    try await database.count(
                        "SELECT count(*) FROM device_health_event WHERE device = ?", [device]) == perBatch.count)
                let latest = try await database.status().first { $0.device == device }?.points.first?.goodValue
                #expect(latest == .number(Double(perBatch.count)))
            }
        }
    }

    /// Starts the probe, waits until it has reported a few flushes, kills it with SIGKILL at a moment that
    /// varies with the run, and returns the last batch number it reported.
    static func runAndKill(_ probe: URL, path: String, device: String, directory: String) async throws -> Int {
        let outputPath = directory + "/\(device).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = probe
        process.arguments = [path, device, "\(batchSize)"]
        process.standardOutput = output
        try process.run()

        let deadline = ContinuousClock.now + .seconds(60)
        while lastFlushed(in: outputPath) < 3, process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        // Somewhere inside the next batches: the probe writes continuously, so this lands mid-batch.
        try await Task.sleep(for: .milliseconds(Int.random(in: 5...60)))
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        #expect(wasRunning, "the probe exited before it was killed: \(process.terminationStatus)")
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        return lastFlushed(in: outputPath)
    }

    static func lastFlushed(in outputPath: String) -> Int {
        guard let text = try? String(contentsOfFile: outputPath, encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix("flushed ") ? Int(line.dropFirst("flushed ".count)) : nil
        }.max() ?? 0
    }

    /// The helper sits next to the test binary in the build directory (`<scratch>/<triple>/debug/`), whichever
    /// scratch path built it; on macOS the test binary is inside an .xctest bundle a few levels down.
    /// `STOCKPILE_STORE_CRASH_PROBE` overrides the search.
    static func probeExecutable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["STOCKPILE_STORE_CRASH_PROBE"] {
            return URL(fileURLWithPath: path)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let start =
            FileManager.default.fileExists(atPath: executable.path)
            ? executable : (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
        var directory = start.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = directory.appendingPathComponent("StoreCrashProbe")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw StoreCrashProbeMissing(searchedFrom: start.path)
    }
}

struct StoreCrashProbeMissing: Error, CustomStringConvertible {
    var searchedFrom: String
    var description: String {
        "StoreCrashProbe not found next to \(searchedFrom): build it (`swift build --product StoreCrashProbe`) "
            + "or set STOCKPILE_STORE_CRASH_PROBE"
    }
}
