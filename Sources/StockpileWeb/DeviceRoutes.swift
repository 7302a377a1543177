import Foundation
import Hummingbird
import StockpileDomain
import StockpileStore

/// `/api/v1/devices`: every device of the site with its health and latest values, and a device's readings over
/// a time range (raw readings for short ranges, minute aggregates for long ones).
struct DeviceRoutes {
    let backend: WebBackend
    let snapshot: StatusSnapshot
    let rendered: RenderedCache

    /// Ranges longer than this come from the minute aggregates unless `resolution=raw` asks otherwise.
    static let rawRangeLimit: TimeInterval = 6 * 3600
    /// At most this many raw readings per answer.
    static let rawLimit = 10_000

    struct PointValueBody: Codable, Equatable {
        var point: String
        var value: Double?
        var text: String?
        var unit: String?
        var quality: String
        /// The newest reading's instant.
        var time: String
        /// The instant of `value`: the newest good reading, which can be older than `time`.
        var valueTime: String?
    }

    struct HealthBody: Codable, Equatable {
        var state: String
        var since: String
        var reason: String
    }

    struct DeviceBody: Codable, Equatable {
        var name: String
        var label: String?
        var kind: String
        var profile: String
        var bus: String
        var unitId: Int
        var zone: String?
        var location: String?
        var health: HealthBody?
        var lastReading: String?
        var recentErrors: Int
        var values: [PointValueBody]
    }

    func register(on router: Router<WebRequestContext>) {
        router.get("/api/v1/devices") { _, context in
            try context.authorize(.read)
            // Encoded once a second for everybody: the figures change only when the store flushes.
            let data = try await rendered.bytes(for: "api/devices", now: Date()) {
                let body = try await devices()
                return try await RenderQueue.run { try JSONAnswer.encoder().encode(body) }
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/api/v1/devices/:device") { _, context in
            try context.authorize(.read)
            let name = try context.parameters.require("device")
            guard let device = try await devices().first(where: { $0.name == name }) else {
                throw APIError.notFound("no device \(name) in the site file")
            }
            return try JSONAnswer.response(device)
        }
        router.get("/api/v1/devices/:device/readings") { request, context in
            try context.authorize(.read)
            return try JSONAnswer.response(
                try await readings(request, device: try context.parameters.require("device")))
        }
    }

    func devices() async throws -> [DeviceBody] {
        let now = backend.clock()
        let byName = Dictionary(
            try await snapshot.status(now: now).map { ($0.device, $0) }, uniquingKeysWith: { first, _ in first })
        return backend.site.devices.map { device in Self.body(device, status: byName[device.name]) }
    }

    static func body(_ device: SiteConfiguration.Device, status: DeviceStatus?) -> DeviceBody {
        let units = Dictionary(
            device.profile.points.map { ($0.name, $0.unit) }, uniquingKeysWith: { first, _ in first })
        let values = (status?.points ?? []).map { latest in
            PointValueBody(
                point: latest.point, value: JSONAnswer.finite(latest.goodValue?.number),
                text: latest.goodValue.flatMap { $0.number == nil ? $0.description : nil },
                unit: units[latest.point] ?? nil, quality: latest.quality.rawValue,
                time: UTCTimestamp.text(latest.time), valueTime: latest.goodTime.map(UTCTimestamp.text))
        }
        return DeviceBody(
            name: device.name, label: device.label, kind: device.profile.kind.rawValue,
            profile: device.profilePath, bus: device.bus, unitId: Int(device.unit), zone: device.zone,
            location: device.location?.name,
            health: status?.health.map {
                HealthBody(state: $0.to.rawValue, since: UTCTimestamp.text($0.time), reason: $0.reason)
            },
            lastReading: status?.lastReadingTime.map(UTCTimestamp.text), recentErrors: status?.recentErrorCount ?? 0,
            values: values)
    }

    struct ReadingBody: Codable, Equatable {
        var time: String
        var value: Double?
        var text: String?
        var quality: String
    }

    struct AggregateBody: Codable, Equatable {
        var minute: String
        var count: Int
        var goodCount: Int
        var min: Double?
        var mean: Double?
        var max: Double?
    }

    struct SeriesBody: Codable, Equatable {
        var device: String
        var point: String
        var unit: String?
        var from: String
        var to: String
        /// `raw` or `minute`.
        var resolution: String
        var truncated: Bool
        var readings: [ReadingBody]?
        var aggregates: [AggregateBody]?
    }

    func readings(_ request: Request, device name: String) async throws -> SeriesBody {
        guard let device = backend.site.device(named: name) else {
            throw APIError.notFound("no device \(name) in the site file")
        }
        let query = QueryParameters(request: request)
        guard let point = query.text("point") else {
            throw APIError.badRequest(
                "missing_parameter", "point: which point (\(device.profile.points.map(\.name).joined(separator: ", ")))"
            )
        }
        guard let profilePoint = device.profile.points.first(where: { $0.name == point }) else {
            throw APIError.notFound("\(name) has no point \(point.prefix(64))")
        }
        let now = backend.clock()
        let to = try query.instant("to") ?? now
        let from = try query.instant("from") ?? to.addingTimeInterval(-3600)
        guard from < to else { throw APIError.badRequest("bad_range", "from must come before to") }
        guard to.timeIntervalSince(from) <= 400 * 86_400 else {
            throw APIError.badRequest("bad_range", "a range of at most 400 days")
        }
        let asked = try query.choice("resolution", of: ["auto", "raw", "minute"]) ?? "auto"
        let resolution = asked == "auto" ? (to.timeIntervalSince(from) > Self.rawRangeLimit ? "minute" : "raw") : asked
        var body = SeriesBody(
            device: name, point: point, unit: profilePoint.unit, from: UTCTimestamp.text(from),
            to: UTCTimestamp.text(to), resolution: resolution, truncated: false)
        if resolution == "raw" {
            let rows = try await backend.database.readings(
                device: name, point: point, since: from, until: to, limit: Self.rawLimit + 1)
            body.truncated = rows.count > Self.rawLimit
            body.readings = rows.prefix(Self.rawLimit).map {
                ReadingBody(
                    time: UTCTimestamp.text($0.time), value: JSONAnswer.finite($0.value?.number),
                    text: $0.value.flatMap { $0.number == nil ? $0.description : nil }, quality: $0.quality.rawValue)
            }
        } else {
            let rows = try await backend.database.minuteAggregates(device: name, point: point, since: from, until: to)
            body.aggregates = rows.map {
                AggregateBody(
                    minute: UTCTimestamp.text($0.minute), count: $0.count, goodCount: $0.goodCount,
                    min: JSONAnswer.finite($0.min), mean: JSONAnswer.finite($0.mean), max: JSONAnswer.finite($0.max))
            }
        }
        return body
    }
}
