import Foundation
import GRDB
import StockpileDomain
import Testing

@testable import StockpileStore

@Suite("ReadingWriter: batches, failures, the flush loop")
struct ReadingWriterTests {
    @Test("a batch of readings lands in ONE transaction, never one per reading")
    func oneTransactionPerBatch() async throws {
        try await withFileStore { database, _ in
            let commits = CommitCounter()
            try await database.observeWrites(with: commits)
            let writer = ReadingWriter(database: database, logger: testLogger)

            await writer.append((0..<1_000).map { reading(at(Double($0) * 0.1), .number(Double($0))) })
            await writer.record(
                DeviceHealthEvent(device: "scale-1", time: noon, from: nil, to: .online, reason: "first answer"))
            #expect(try await writer.flush() == 1_000)
            await writer.append((0..<500).map { reading("scale-2", "net", at(Double($0))) })
            #expect(try await writer.flush() == 500)
            #expect(try await writer.flush() == 0)  // nothing buffered: no transaction at all

            #expect(commits.insertsPerCommit == [1_000, 500])
            #expect(commits.rollbacks == 0)
            #expect(try await database.count("SELECT count(*) FROM reading") == 1_500)
            #expect(try await database.count("SELECT count(*) FROM device_health_event") == 1)
            #expect(await writer.flushedReadingCount == 1_500)
        }
    }

    @Test("a flush that fails keeps its readings, in order, for the next flush")
    func failedFlushKeepsReadings() async throws {
        try await withFileStore { database, _ in
            try await database.observeWrites(with: FailingCommits(failures: 1))
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append([reading(at(0), .number(1)), reading(at(1), .number(2))])
            await writer.record(DeviceHealthEvent(device: "scale-1", time: noon, from: nil, to: .online, reason: "up"))

            await #expect(throws: DatabaseError.self) { try await writer.flush() }
            #expect(try await database.count("SELECT count(*) FROM reading") == 0)
            #expect(try await database.count("SELECT count(*) FROM minute_aggregate") == 0)  // rolled back together
            #expect(await writer.pendingCount == 3)

            await writer.append(reading(at(2), .number(3)))
            #expect(try await writer.flush() == 3)
            let values = try await database.readings(device: "scale-1", since: .distantPast).map(\.value)
            #expect(values == [.number(1), .number(2), .number(3)])
            #expect(try await database.count("SELECT count(*) FROM device_health_event") == 1)
            #expect(try await database.count(#"SELECT "count" FROM minute_aggregate"#) == 3)
        }
    }

    @Test("past the buffer limit the oldest readings are dropped and counted")
    func bufferLimit() async throws {
        let database = try AppDatabase.inMemory()
        let writer = ReadingWriter(database: database, bufferLimit: 3, logger: testLogger)
        await writer.append((1...5).map { reading(at(Double($0)), .number(Double($0))) })
        #expect(await writer.pendingCount == 3)
        #expect(await writer.droppedReadingCount == 2)
        try await writer.flush()
        let values = try await database.readings(device: "scale-1", since: .distantPast).map(\.value)
        #expect(values == [.number(3), .number(4), .number(5)])
    }

    @Test("run(flushInterval:) flushes on its interval")
    func runLoopFlushes() async throws {
        try await withFileStore { database, _ in
            let writer = ReadingWriter(database: database, logger: testLogger)
            let loop = Task { try await writer.run(flushInterval: .milliseconds(20)) }
            defer { loop.cancel() }

            await writer.append(reading(at(0)))
            let deadline = ContinuousClock.now + .seconds(120)
            while try await database.count("SELECT count(*) FROM reading") == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(try await database.count("SELECT count(*) FROM reading") == 1)
        }
    }

    @Test("cancelling run(flushInterval:) drains the buffer: the final flush runs in the cancelled task")
    func runLoopDrainsWhenCancelled() async throws {
        try await withFileStore { database, _ in
            let writer = ReadingWriter(database: database, logger: testLogger)
            // An interval no test waits for: only the final flush can write these.
            let loop = Task { try await writer.run(flushInterval: .seconds(3_600)) }
            await writer.append((1...100).map { reading(at(Double($0))) })
            loop.cancel()
            try await loop.value
            #expect(await writer.pendingCount == 0)
            #expect(try await database.count("SELECT count(*) FROM reading") == 100)
        }
    }
}
