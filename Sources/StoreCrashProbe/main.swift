// A test helper, not a product: StockpileStoreTests' crash test starts it, lets it write, and kills it with
// SIGKILL mid-run. It appends batches through the real `ReadingWriter` into the store at PATH and prints
// "flushed N" on stdout after batch N's flush() has returned (committed), so the test knows what must survive.
//
// Usage: StoreCrashProbe PATH DEVICE BATCH_SIZE
//
// Batch N (from 1) holds BATCH_SIZE readings of DEVICE's point `weight`, valued N, at times
// `StoreCrashProbe.epoch + (N - 1) * BATCH_SIZE + i` milliseconds, and one health event. It stops by itself
// after 60 s or 10,000 batches, so a test that dies cannot leave it running for long.
import Foundation
import Logging
import StockpileDomain
import StockpileStore

let arguments = CommandLine.arguments
guard arguments.count == 4, let batchSize = Int(arguments[3]), batchSize > 0 else {
    FileHandle.standardError.write(Data("usage: StoreCrashProbe PATH DEVICE BATCH_SIZE\n".utf8))
    exit(2)
}
let path = arguments[1]
let device = arguments[2]
// 2026-01-01T00:00:00Z: fixed, so the test can compute every batch's time range.
let epoch: Int64 = 1_767_225_600_000

let database = try AppDatabase.open(path: path)
let writer = ReadingWriter(database: database, logger: Logger(label: "StoreCrashProbe"))
let deadline = ContinuousClock.now + .seconds(60)
var batch = 1
while batch <= 10_000, ContinuousClock.now < deadline {
    let first = epoch + Int64(batch - 1) * Int64(batchSize)
    let readings = (0..<batchSize).map { index in
        Reading(
            device: device, point: "weight",
            time: Date(timeIntervalSince1970: Double(first + Int64(index)) / 1000),
            value: .number(Double(batch)), quality: .good, raw: [UInt16(batch & 0xFFFF)])
    }
    await writer.append(readings)
    await writer.record(
        DeviceHealthEvent(
            device: device, time: Date(timeIntervalSince1970: Double(first) / 1000), from: .online, to: .online,
            reason: "batch \(batch)"))
    try await writer.flush()
    FileHandle.standardOutput.write(Data("flushed \(batch)\n".utf8))
    batch += 1
}
