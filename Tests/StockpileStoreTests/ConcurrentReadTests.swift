import Dispatch
import Foundation
import GRDB
import Testing

@testable import StockpileStore

@Suite("Readers and the writer at once (WAL)")
struct ConcurrentReadTests {
    @Test("a reader gets the committed data at once while a write transaction is still open, then sees the commit")
    func readerDoesNotWaitForWriter() async throws {
        try await withFileStore { database, path in
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append((0..<100).map { reading(at(Double($0))) })
            try await writer.flush()

            // Hold a write transaction open on the writer connection, with 50 rows inserted but not committed.
            let release = DispatchSemaphore(value: 0)
            let (entered, enteredContinuation) = AsyncStream.makeStream(of: Void.self)
            async let commit: Void = withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                database.writer.asyncWrite(
                    { db in
                        for second in 100..<150 {
                            var row = reading(at(Double(second)))
                            try row.insert(db)
                        }
                        enteredContinuation.yield()
                        release.wait()  // blocks GRDB's writer queue, not the cooperative pool
                    },
                    completion: { _, result in done.resume(with: result) })
            }
            var iterator = entered.makeAsyncIterator()
            await iterator.next()

            // Both a reader of this pool and a separate read-only connection (the CLI) answer now.
            let seen = try await database.readings(device: "scale-1", since: .distantPast).count
            let cli = try AppDatabase.openReadOnly(path: path)
            let seenByCLI = try await cli.readings(device: "scale-1", since: .distantPast).count
            // Both answered while the write transaction is still open: it is released only now.
            release.signal()
            try await commit

            #expect(seen == 100)
            #expect(seenByCLI == 100)
            #expect(try await database.readings(device: "scale-1", since: .distantPast).count == 150)
            #expect(try await cli.readings(device: "scale-1", since: .distantPast).count == 150)
        }
    }

    @Test("readers polling during a stream of batches only ever see whole batches, never fewer rows than before")
    func readersSeeWholeBatches() async throws {
        try await withFileStore { database, _ in
            let batchSize = 500
            let batches = 20
            let writer = ReadingWriter(database: database, logger: testLogger)
            let producer = Task {
                for batch in 0..<batches {
                    await writer.append(
                        (0..<batchSize).map { reading(at(Double(batch * batchSize + $0) / 1_000)) })
                    try await writer.flush()
                }
            }
            var observed: [Int] = []
            while observed.last != batches * batchSize {
                observed.append(try await database.count("SELECT count(*) FROM reading"))
                if observed.count > 100_000 { break }
            }
            try await producer.value
            #expect(observed.allSatisfy { $0 % batchSize == 0 })
            #expect(observed == observed.sorted())
            #expect(observed.last == batches * batchSize)
        }
    }
}
