import Foundation

/// `stockpile-bench`: every benchmark of `make bench`, each a ratio against a reference measured in
/// the same run.
@main
struct BenchmarkCommand {
    static func main() async {
        var options: [String: String] = [:]
        var arguments = CommandLine.arguments.dropFirst()
        while let flag = arguments.popFirst() {
            options[flag] = arguments.popFirst() ?? ""
        }
        let cBin = options["--c-bin"] ?? ".build/bench-c"
        let seconds = Double(options["--seconds"] ?? "2") ?? 2
        let rounds = Int(options["--rounds"] ?? "3") ?? 3
        do {
            try await ClientBenchmark.run(cBin: cBin, seconds: seconds, rounds: rounds)
        } catch {
            FileHandle.standardError.write(Data("stockpile-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}
