import Foundation
import StockpileDomain
import Testing

@testable import StockpileStore

@Suite("Minute aggregates, written with their readings")
struct MinuteAggregateTests {
    @Test("min, max, mean and count are right for readings spanning two minutes; only good numbers are measured")
    func twoMinutes() async throws {
        try await withFileStore { database, _ in
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append([
                reading(at(5), .number(100)),
                reading(at(20), .number(104)),
                reading(at(40), .number(999), .uncertain),  // in motion: counted, not measured
                reading(at(59.999), .number(102)),
                reading(at(60), .number(90)),  // the next minute starts here
                reading(at(61), nil, .offline),
                reading(at(62), nil, .bad),
            ])
            try await writer.flush()

            let rows = try await database.minuteAggregates(device: "scale-1", point: "gross", since: noon)
            #expect(rows.map(\.minute) == [noon, at(60)])
            let first = try #require(rows.first)
            #expect(first.count == 4)
            #expect(first.goodCount == 3)
            #expect(first.uncertainCount == 1)
            #expect(first.valueCount == 3)
            #expect(first.min == 100)
            #expect(first.max == 104)
            #expect(first.sum == 306)
            #expect(first.mean == 102)
            let second = try #require(rows.last)
            #expect(second.count == 3)
            #expect(second.goodCount == 1)
            #expect(second.offlineCount == 1)
            #expect(second.badCount == 1)
            #expect(second.min == 90 && second.max == 90 && second.mean == 90)
        }
    }

    @Test("a later batch in the same minute merges: counts and sums add, min and max widen")
    func batchesMerge() async throws {
        try await withFileStore { database, _ in
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append([reading(at(1), nil, .offline)])
            try await writer.flush()
            var row = try #require(
                try await database.minuteAggregates(device: "scale-1", point: "gross", since: noon).first)
            #expect(row.count == 1 && row.valueCount == 0 && row.min == nil && row.max == nil && row.mean == nil)

            await writer.append([reading(at(10), .number(5)), reading(at(11), .number(7))])
            try await writer.flush()
            await writer.append([
                reading(at(12), .number(3)), reading(at(13), .bool(true)), reading(at(14), .text("x")),
            ])
            try await writer.flush()
            row = try #require(
                try await database.minuteAggregates(device: "scale-1", point: "gross", since: noon).first)
            #expect(row.count == 6)
            #expect(row.goodCount == 5)
            #expect(row.offlineCount == 1)
            #expect(row.valueCount == 4)  // 5, 7, 3 and true as 1; the text has no number
            #expect(row.min == 1)
            #expect(row.max == 7)
            #expect(row.mean == 4)
        }
    }

    @Test("the batch summary buckets by UTC minute, also before 1970")
    func minuteBuckets() {
        #expect(StoreTime.minute(0) == 0)
        #expect(StoreTime.minute(59_999) == 0)
        #expect(StoreTime.minute(60_000) == 60_000)
        #expect(StoreTime.minute(-1) == -60_000)
        let summary = BatchSummary([reading(at(-0.001)), reading(at(0)), reading("scale-1", "net", at(0))])
        #expect(summary.minutes.count == 3)
        #expect(summary.latest.count == 2)
    }
}
