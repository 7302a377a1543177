import Foundation
import Hummingbird
import StockpileDomain
import StockpileLedger
import StockpileStore

/// `/api/v1/locations` (book, physical and status of every location, from a whole-site reconciliation as of
/// about now) and `/api/v1/zones` (each zone's climate now, its devices and locations).
struct SiteRoutes {
    let backend: WebBackend
    let snapshot: StatusSnapshot
    let shelf: ReportShelf

    struct LotBody: Codable, Equatable {
        var lot: String
        var material: String
        var bookKg: Double
    }

    struct LocationBody: Codable, Equatable {
        var name: String
        var kind: String
        var zone: String?
        var device: String?
        var unit: String
        var bookKg: Double
        var physicalKg: Double?
        var physicalMethod: String
        var varianceKg: Double?
        var variancePercent: Double?
        var toleranceKg: Double
        var status: String
        var explanation: String
        var lots: [LotBody]
    }

    struct LocationsBody: Codable, Equatable {
        /// The instant the positions and the physical weights are taken at.
        var at: String
        var locations: [LocationBody]
    }

    struct MeasurementBody: Codable, Equatable {
        var device: String
        var value: Double?
        var unit: String?
        var quality: String
        var time: String
    }

    struct ZoneBody: Codable, Equatable {
        var name: String
        var devices: [String]
        var locations: [String]
        var temperature: MeasurementBody?
        var humidity: MeasurementBody?
    }

    func register(on router: Router<WebRequestContext>) {
        router.get("/api/v1/locations") { _, context in
            try context.authorize(.read)
            return try JSONAnswer.response(try await locations())
        }
        router.get("/api/v1/zones") { _, context in
            try context.authorize(.read)
            return try JSONAnswer.response(try await zones())
        }
    }

    func locations() async throws -> LocationsBody {
        let report = try await shelf.reportAsOfNow()
        return LocationsBody(at: report.at, locations: report.locations.map(Self.body))
    }

    static func body(_ line: ReconciliationReport.Line) -> LocationBody {
        LocationBody(
            name: line.location, kind: line.kind, zone: line.zone, device: line.device, unit: line.unit,
            bookKg: line.bookKg, physicalKg: JSONAnswer.finite(line.physicalKg), physicalMethod: line.physicalMethod,
            varianceKg: JSONAnswer.finite(line.varianceKg), variancePercent: JSONAnswer.finite(line.variancePercent),
            toleranceKg: line.tolerance.kg, status: line.status, explanation: line.explanation,
            lots: line.lots.map { LotBody(lot: $0.lot, material: $0.material, bookKg: $0.bookKg) })
    }

    func zones() async throws -> [ZoneBody] {
        let status = try await snapshot.status(now: backend.clock())
        let byDevice = Dictionary(status.map { ($0.device, $0) }, uniquingKeysWith: { first, _ in first })
        var order: [String] = []
        var devices: [String: [SiteConfiguration.Device]] = [:]
        for device in backend.site.devices {
            guard let zone = device.zone else { continue }
            if devices[zone] == nil { order.append(zone) }
            devices[zone, default: []].append(device)
        }
        let locations = Dictionary(grouping: backend.site.ledgerLocations.filter { $0.zone != nil }, by: { $0.zone! })
        return order.map { zone in
            let members = devices[zone] ?? []
            func measurement(_ point: String) -> MeasurementBody? {
                for device in members {
                    guard let latest = byDevice[device.name]?.points.first(where: { $0.point == point }) else {
                        continue
                    }
                    return MeasurementBody(
                        device: device.name, value: JSONAnswer.finite(latest.goodValue?.number),
                        unit: device.profile.points.first { $0.name == point }?.unit, quality: latest.quality.rawValue,
                        time: UTCTimestamp.text(latest.time))
                }
                return nil
            }
            return ZoneBody(
                name: zone, devices: members.map(\.name), locations: (locations[zone] ?? []).map(\.name),
                temperature: measurement("temperature"), humidity: measurement("humidity"))
        }
    }
}
