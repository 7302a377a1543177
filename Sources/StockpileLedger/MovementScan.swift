public import Foundation
public import StockpileDomain
public import StockpileStore

/// `stockpile reconcile --between T1 T2`: the movement detector over the stored readings of each scale
/// location, after the fact; its events are stored (as the agent will store live ones) and returned.
public enum MovementScan {
    public static func run(
        site: SiteConfiguration, database: AppDatabase, from: Date, to: Date, location filter: String? = nil,
        now: Date = Date(), configuration: MovementDetector.Configuration = MovementDetector.Configuration()
    ) async throws -> [StoredMovementEvent] {
        let ledger = try await database.ledger(locations: site.ledgerLocations)
        var result: [StoredMovementEvent] = []
        for location in site.ledgerLocations where location.kind == .scale && (filter == nil || location.name == filter)
        {
            guard let device = location.device else { continue }
            // The shared vocabulary: net where the scale reports it, else gross; one point, so levels compare.
            var samples: [WeightSample] = []
            for point in ["net", "gross"] {
                let readings = try await database.readings(device: device, point: point, since: from, until: to)
                samples = readings.map {
                    WeightSample(time: $0.time, point: point, value: $0.value?.number, quality: $0.quality)
                }
                if !samples.isEmpty { break }
            }
            var humidity: [HumidityExposure.Sample]?
            if let zone = location.zone {
                let sensors = site.devices(inZone: zone).filter { $0.profile.points.contains { $0.name == "humidity" } }
                if !sensors.isEmpty {
                    var collected: [HumidityExposure.Sample] = []
                    for sensor in sensors {
                        collected += try await database.readings(
                            device: sensor.name, point: "humidity", since: from, until: to
                        )
                        .filter { $0.quality == .good }
                        .compactMap { reading in reading.value?.number.map { .init(time: reading.time, value: $0) } }
                    }
                    humidity = collected
                }
            }
            let detected = MovementDetector.detect(
                location: location, readings: samples, ledger: ledger, humidity: humidity, configuration: configuration)
            let window = configuration.window
            let name = location.name
            result += try await database.syncMovementEvents(
                location: name, from: from, to: to, detected: detected, at: now,
                explanation: { stored in
                    ledger.transactions
                        .filter {
                            ($0.location == name || $0.destination == name)
                                && abs($0.time.timeIntervalSince(stored.event.start)) <= window
                        }
                        .min {
                            abs($0.time.timeIntervalSince(stored.event.start))
                                < abs($1.time.timeIntervalSince(stored.event.start))
                        }?
                        .document
                })
        }
        return result.sorted { ($0.event.start, $0.event.location) < ($1.event.start, $1.event.location) }
    }
}
