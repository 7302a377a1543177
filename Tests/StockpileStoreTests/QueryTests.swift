import Foundation
import StockpileDomain
import Testing

@testable import StockpileStore

@Suite("Queries for the CLI")
struct QueryTests {
    @Test("readings come back as written, in time order, whatever order the batches arrived in")
    func timeOrder() async throws {
        try await withFileStore { database, _ in
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append([reading(at(3), .number(3)), reading(at(1), .number(1))])
            try await writer.flush()
            await writer.append([reading(at(2), .number(2)), reading("scale-1", "net", at(0), .number(9))])
            try await writer.flush()

            let gross = try await database.readings(device: "scale-1", point: "gross", since: .distantPast)
            #expect(gross.map(\.time) == [at(1), at(2), at(3)])
            #expect(gross.map(\.value) == [.number(1), .number(2), .number(3)])
            #expect(
                gross.allSatisfy {
                    $0.device == "scale-1" && $0.point == "gross" && $0.quality == .good && $0.id != nil
                })
            let all = try await database.readings(device: "scale-1", since: .distantPast)
            #expect(all.map(\.point) == ["net", "gross", "gross", "gross"])
        }
    }

    @Test("since is inclusive, until exclusive, and other devices and points stay out")
    func sinceFilters() async throws {
        try await withFileStore { database, _ in
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append((0..<10).map { reading(at(Double($0)), .number(Double($0))) })
            await writer.append([reading("scale-2", "gross", at(5)), reading("scale-1", "net", at(5))])
            try await writer.flush()

            let since5 = try await database.readings(device: "scale-1", point: "gross", since: at(5))
            #expect(since5.map(\.value) == [5, 6, 7, 8, 9].map { PointValue.number($0) })
            let justAfter = try await database.readings(device: "scale-1", point: "gross", since: at(5.001))
            #expect(justAfter.count == 4)
            let window = try await database.readings(device: "scale-1", point: "gross", since: at(2), until: at(4))
            #expect(window.map(\.value) == [.number(2), .number(3)])
            let limited = try await database.readings(device: "scale-1", point: "gross", since: at(0), limit: 3)
            #expect(limited.count == 3)
            #expect(try await database.readings(device: "scale-1", point: "gross", since: at(10)).isEmpty)
            #expect(try await database.readings(device: "nobody", since: .distantPast).isEmpty)
        }
    }

    @Test("numbers, bools, texts, missing values and raw registers read back as written")
    func valuesRoundTrip() async throws {
        try await withFileStore { database, _ in
            let writer = ReadingWriter(database: database, logger: testLogger)
            let written = [
                Reading(
                    device: "d", point: "gross", time: at(0), value: .number(-12.5), quality: .good,
                    raw: [0xFFFF, 0x0001]),
                Reading(device: "d", point: "gross", time: at(1), value: .bool(true), quality: .good, raw: [1]),
                Reading(device: "d", point: "gross", time: at(2), value: .bool(false), quality: .uncertain),
                Reading(device: "d", point: "gross", time: at(3), value: .text("OL"), quality: .bad),
                Reading(device: "d", point: "gross", time: at(4), value: .text("true story"), quality: .stale),
                Reading(device: "d", point: "gross", time: at(5), value: nil, quality: .offline),
                Reading(
                    device: "d", point: "gross", time: Date(timeIntervalSince1970: 1_772_366_406.1234), value: nil,
                    quality: .offline),
            ]
            await writer.append(written)
            try await writer.flush()
            var read = try await database.readings(device: "d", since: .distantPast)
            for index in read.indices { read[index].id = nil }
            #expect(read.count == written.count)
            #expect(read.map(\.value) == written.map(\.value))
            #expect(read.map(\.quality) == written.map(\.quality))
            #expect(read.map(\.raw) == written.map(\.raw))
            #expect(Set(read) == Set(written))  // times too, to the millisecond
        }
    }

    @Test("status: health, last good value and the last reading's quality per point, errors in the last hour")
    func status() async throws {
        try await withFileStore { database, _ in
            let now = at(3 * 3_600)
            let writer = ReadingWriter(database: database, logger: testLogger)
            await writer.append([
                reading(now.addingTimeInterval(-2 * 3_600), nil, .bad),  // outside the hour
                reading(now.addingTimeInterval(-120), .number(250)),
                reading(now.addingTimeInterval(-60), .number(251)),
                reading(now.addingTimeInterval(-30), nil, .bad),
                reading(now.addingTimeInterval(-10), nil, .offline),
                reading("scale-1", "net", now.addingTimeInterval(-5), .number(5), .uncertain),
                reading("th-1", "humidity", now.addingTimeInterval(-1), .number(41.5)),
            ])
            await writer.record(DeviceHealthEvent(device: "scale-1", time: at(0), from: nil, to: .online, reason: "up"))
            await writer.record(
                DeviceHealthEvent(
                    device: "scale-1", time: now.addingTimeInterval(-10), from: .online, to: .offline,
                    reason: "3 timeouts"))
            await writer.record(
                DeviceHealthEvent(device: "io-1", time: at(0), from: nil, to: .degraded, reason: "slow"))
            try await writer.flush()
            // A late batch with an older good value must not replace the newer one.
            await writer.append([reading(now.addingTimeInterval(-90), .number(1))])
            try await writer.flush()

            let status = try await database.status(now: now)
            #expect(status.map(\.device) == ["io-1", "scale-1", "th-1"])
            let io = status[0]
            #expect(io.health?.to == .degraded)
            #expect(io.points.isEmpty && io.recentErrorCount == 0)

            let scale = status[1]
            #expect(scale.health?.to == .offline)
            #expect(scale.health?.from == .online)
            #expect(scale.health?.reason == "3 timeouts")
            #expect(scale.points.map(\.point) == ["gross", "net"])
            let gross = scale.points[0]
            #expect(gross.time == now.addingTimeInterval(-10))
            #expect(gross.quality == .offline)
            #expect(gross.goodTime == now.addingTimeInterval(-60))
            #expect(gross.goodValue == .number(251))
            let net = scale.points[1]
            #expect(net.quality == .uncertain)
            #expect(net.goodTime == nil && net.goodValue == nil)
            #expect(scale.lastReadingTime == now.addingTimeInterval(-5))
            #expect(scale.lastQuality == .uncertain)
            #expect(scale.recentBadCount == 1)
            #expect(scale.recentOfflineCount == 1)
            #expect(scale.recentErrorCount == 2)

            let sensor = status[2]
            #expect(sensor.health == nil)
            #expect(sensor.points.first?.goodValue == .number(41.5))
        }
    }
}
