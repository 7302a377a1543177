import Foundation
public import Hummingbird
public import Logging
import SimulatorCore
import StockpileDomain

/// The simulator's HTTP/JSON control channel, for technicians and tests (loopback only).
///
/// | route | does |
/// | --- | --- |
/// | `GET /devices` | every device: unit, transports, values, faults, overrides |
/// | `GET /devices/NAME` | one device, with the writes it received |
/// | `GET /devices/NAME/counters` | requests by function code, exceptions sent, writes with their values |
/// | `POST /devices/NAME/events` | `{"event": "add_load", "kg": 25}`: any timeline event, now |
/// | `POST /devices/NAME/faults` | `{"fault": "slow", "delay": "300ms"}`: add a fault now |
/// | `DELETE /devices/NAME/faults` | clear every fault |
/// | `POST /devices/NAME/values` | `{"point": "humidity", "value": 65}` pins a value (`null`: unavailable) |
/// | `DELETE /devices/NAME/values` | unpins every value |
/// | `GET /clock` | simulated time, speed, seed |
///
/// Bodies use the same field names as scenario files and are checked the same way.
public enum ControlChannel {
    /// The router, separate from the server so tests can drive it directly.
    public static func router(service: SimulatorService) -> Router<BasicRequestContext> {
        let engine = service.engine
        let router = Router()
        router.get("clock") { _, _ in
            json([
                "simulated_seconds": engine.now.seconds, "speed": service.clock.speed, "seed": Double(engine.seed),
                "scenario": engine.scenario.name,
            ])
        }
        router.get("devices") { _, _ in
            json(engine.statuses().map { describe($0, withWrites: false) })
        }
        router.get("devices/:name") { _, context in
            let status = try device(context, engine)
            return json(describe(status, withWrites: true))
        }
        router.get("devices/:name/counters") { _, context in
            let status = try device(context, engine)
            var requests: [String: Int] = [:]
            var exceptions = 0
            var unanswered = 0
            for transport in status.transports {
                guard let counters = service.server(for: transport)?.counters(for: status.unit) else { continue }
                for (code, count) in counters.requests { requests[String(code), default: 0] += count }
                exceptions += counters.exceptions
                unanswered += counters.unanswered
            }
            return json([
                "device": status.name, "requests_by_function": requests, "exceptions": exceptions,
                "unanswered": unanswered, "writes": status.writes.map(describe),
            ])
        }
        router.post("devices/:name/events") { request, context in
            let status = try device(context, engine)
            let body = try await fields(of: request)
            let kind = SimulatedDevice.ModelKind(rawValue: status.model) ?? .scale
            let action = try parse { () throws(ConfigurationError) in
                try body.allowOnly(Self.bodyFields)
                return try ScenarioLoader.parseEvent(try body.required("event"), item: body, model: kind)
            }
            guard engine.trigger(action, device: status.name) else {
                throw HTTPError(.badRequest, message: "that event does not apply to \(status.name)")
            }
            return json(describe(engine.status(of: status.name)!, withWrites: false))
        }
        router.post("devices/:name/faults") { request, context in
            let status = try device(context, engine)
            let body = try await fields(of: request)
            let fault = try parse { () throws(ConfigurationError) in
                try body.allowOnly(Self.bodyFields)
                return try ScenarioLoader.parseFault(try body.required("fault"), item: body)
            }
            engine.trigger(.fault(fault), device: status.name)
            return json(describe(engine.status(of: status.name)!, withWrites: false))
        }
        router.delete("devices/:name/faults") { _, context in
            let status = try device(context, engine)
            engine.trigger(.clearFaults, device: status.name)
            return json(describe(engine.status(of: status.name)!, withWrites: false))
        }
        router.post("devices/:name/values") { request, context in
            let status = try device(context, engine)
            let body = try await fields(of: request)
            let point = try parse { () throws(ConfigurationError) in
                try body.allowOnly(["point", "value"])
                return try body.required("point").string()
            }
            guard let valueField = try parse({ () throws(ConfigurationError) in try body.present("value") }) else {
                throw HTTPError(.badRequest, message: "give `value` (null for unavailable)")
            }
            let value: PointValue?
            if valueField.isNull {
                value = nil
            } else if let bool = valueField.booleanValue {
                value = .bool(bool)
            } else {
                value = .number(try parse { () throws(ConfigurationError) in try valueField.double() })
            }
            guard engine.override(point, value: .some(value), device: status.name) else {
                throw HTTPError(.badRequest, message: "\(status.name) has no point or flag named \(point)")
            }
            return json(describe(engine.status(of: status.name)!, withWrites: false))
        }
        router.delete("devices/:name/values") { _, context in
            let status = try device(context, engine)
            _ = engine.clearOverrides(device: status.name)
            return json(describe(engine.status(of: status.name)!, withWrites: false))
        }
        return router
    }

    /// The control application on `host:port`; `onRunning` gets the port actually bound.
    public static func application(
        service: SimulatorService, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(service: service),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "stockpile-simulator"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    // MARK: - Helpers

    private static func device(
        _ context: BasicRequestContext, _ engine: SimulationEngine
    ) throws -> SimulatedDeviceStatus {
        let name = context.parameters.get("name") ?? ""
        guard let status = engine.status(of: name) else {
            throw HTTPError(.notFound, message: "no device named \(name)")
        }
        return status
    }

    /// An event's or a fault's body: the timeline entry's fields, less `at` and `device`. Unknown
    /// fields are refused, as in a scenario.
    static let bodyFields = ScenarioLoader.eventFields.subtracting(["at", "device"])

    private static func fields(of request: Request) async throws -> YAMLField {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        let text = String(buffer: buffer)
        return try parse { () throws(ConfigurationError) in
            try YAMLField.parse(text.isEmpty ? "{}" : text, file: "request body")
        }
    }

    /// Turns a configuration error into a 400 that names the field.
    private static func parse<T>(_ body: () throws(ConfigurationError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            let field = error.field.isEmpty ? "" : "\(error.field): "
            throw HTTPError(.badRequest, message: field + error.message)
        }
    }

    private static func json(_ object: Any) -> Response {
        let data = JSONText.data(object)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static func describe(_ status: SimulatedDeviceStatus, withWrites: Bool) -> [String: Any] {
        var values: [String: Any] = [:]
        for (name, value) in status.values {
            switch value {
            case .some(.number(let number)): values[name] = number
            case .some(.bool(let bool)): values[name] = bool
            case .some(.text(let text)): values[name] = text
            case nil: values[name] = NSNull()
            }
        }
        var object: [String: Any] = [
            "name": status.name, "unit": Int(status.unit), "transports": status.transports, "model": status.model,
            "profile": status.profile, "values": values, "faults": status.faults, "overrides": status.overrides,
        ]
        if let label = status.label { object["label"] = label }
        if withWrites { object["writes"] = status.writes.map(describe) }
        return object
    }

    private static func describe(_ write: WriteRecord) -> [String: Any] {
        [
            "time_s": write.time.seconds, "transport": write.transport, "unit": Int(write.unit),
            "function": Int(write.functionCode), "address": write.address, "values": write.values.map(Int.init),
            "command": write.command ?? NSNull(), "outcome": write.outcome,
        ]
    }
}
