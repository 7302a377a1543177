import Foundation

/// A helper process the benchmark starts and always stops: a reference server, a client loop.
final class ChildProcess {
    let process = Process()
    private let output = Pipe()

    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
    }

    /// Everything read from standard output so far, kept across calls: one read may bring several lines.
    private var received = ""
    /// How many lines of `received` earlier calls have consumed.
    private var consumedLines = 0

    /// Reads lines until one starts with `prefix`; returns the rest of it. Lines before it are passed over.
    func waitForLine(prefix: String) throws -> String {
        let handle = output.fileHandleForReading
        while true {
            let lines = received.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            for (index, line) in lines.enumerated().dropFirst(consumedLines) where line.hasPrefix(prefix) {
                consumedLines = index + 1
                return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            }
            let chunk = handle.availableData
            if chunk.isEmpty {
                throw BenchmarkError("\(process.executableURL!.lastPathComponent) exited before printing \(prefix)")
            }
            received += String(decoding: chunk, as: UTF8.self)
        }
    }

    /// Waits for the process to finish and returns everything it printed.
    func finish() -> String {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// SIGTERM, then SIGKILL if it has not exited within two seconds: a benchmark never hangs on a child.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `bench_client`-style JSON output through JSONSerialization and returns its "rate".
func rate(fromJSON text: String) throws -> Double {
    guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let rate = object["rate"] as? Double
    else { throw BenchmarkError("no rate in: \(text)") }
    return rate
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func formatRate(_ rate: Double) -> String {
    String(format: "%9.0f req/s", rate)
}
