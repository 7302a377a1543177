import Foundation
import Hummingbird
import StockpileDomain
import StockpileStore

/// `/api/v1/ledger`: book positions as of any instant, the transactions with their chain hashes, and recording
/// one transaction (admins), through the same checks as `stockpile ledger record`.
struct LedgerRoutes {
    let backend: WebBackend

    struct PositionBody: Codable, Equatable {
        var lot: String
        var material: String
        var location: String
        var kg: Double
        var containers: Int
        var containerKind: String
        var lastReceipt: String?
        var lastReceiptDocument: String?
    }

    struct PositionsBody: Codable, Equatable {
        var at: String
        var positions: [PositionBody]
    }

    struct TransactionBody: Codable, Equatable {
        var sequence: Int64
        var kind: String
        var time: String
        var lot: String
        var location: String
        var destination: String?
        var kg: Double
        var actor: String
        var document: String
        var comment: String
        var reason: String
        var approver: String
        var hash: String
    }

    struct RecordRequest: Decodable {
        var kind: String
        var time: String?
        var lot: String
        var location: String
        var destination: String?
        var kg: Double
        var document: String
        var comment: String?
        var reason: String?
        var approver: String?
    }

    struct RecordedBody: Codable, Equatable {
        var document: String
        /// False when the same transaction was already in the ledger (a repeated request writes nothing).
        var recorded: Bool
    }

    static let transactionLimit = 10_000

    func register(on router: Router<WebRequestContext>) {
        router.get("/api/v1/ledger/positions") { request, context in
            try context.authorize(.read)
            let query = QueryParameters(request: request)
            let at = try query.instant("at") ?? backend.clock()
            let location = query.text("location")
            let snapshot = try await backend.database.bookSnapshot(asOf: at)
            let positions = snapshot.positions
                .filter { location == nil || $0.location == location }
                .sorted { ($0.location, $0.lot.id) < ($1.location, $1.lot.id) }
                .map {
                    PositionBody(
                        lot: $0.lot.id, material: $0.lot.material, location: $0.location, kg: $0.kilograms,
                        containers: $0.lot.containerCount, containerKind: $0.lot.containerKind,
                        lastReceipt: $0.lastReceipt.map { UTCTimestamp.text($0.time) },
                        lastReceiptDocument: $0.lastReceipt?.document)
                }
            return try JSONAnswer.response(PositionsBody(at: UTCTimestamp.text(at), positions: positions))
        }
        router.get("/api/v1/ledger/transactions") { request, context in
            try context.authorize(.read)
            let query = QueryParameters(request: request)
            let from = try query.instant("from")
            let to = try query.instant("to")
            let location = query.text("location")
            let limit = try query.integer("limit", in: 1...Self.transactionLimit) ?? 1000
            let stored = try await backend.database.storedTransactions()
            let chosen = stored.lazy.filter {
                (from == nil || $0.transaction.time >= from!) && (to == nil || $0.transaction.time < to!)
                    && (location == nil || $0.transaction.location == location
                        || $0.transaction.destination == location)
            }
            return try JSONAnswer.response(chosen.prefix(limit).map(Self.body))
        }
        router.post("/api/v1/ledger/transactions") { request, context in
            let identity = try context.authorize(.recordTransaction, csrf: request.headers[WebServer.csrfHeader])
            let body = try await JSONAnswer.body(
                RecordRequest.self,
                fields: [
                    "kind", "time", "lot", "location", "destination", "kg", "document", "comment", "reason", "approver",
                ], from: request, context: context)
            let transaction = try transaction(body, actor: identity?.name ?? "?")
            do {
                let added = try await backend.database.appendLedger(
                    [.transaction(transaction)], locations: backend.site.ledgerLocations)
                return try JSONAnswer.response(
                    RecordedBody(document: transaction.document, recorded: !added.isEmpty),
                    status: added.isEmpty ? .ok : .created)
            } catch let violations as LedgerViolations {
                throw APIError(
                    .unprocessableContent, code: "ledger_refused",
                    violations.violations.map { "\($0.field == "quantity" ? "kg" : $0.field): \($0.message)" }
                        .joined(separator: "; "))
            }
        }
    }

    private func transaction(_ body: RecordRequest, actor: String) throws -> LedgerTransaction {
        guard let kind = LedgerTransaction.Kind(rawValue: body.kind) else {
            let kinds = LedgerTransaction.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("bad_kind", "kind: \"\(body.kind.prefix(64))\" is not one of \(kinds)")
        }
        guard body.kg.isFinite, abs(body.kg) <= 1e9 else {
            throw APIError.badRequest("bad_kg", "kg: a finite number of kilograms, at most 1e9 either way")
        }
        var time = backend.clock()
        if let text = body.time {
            guard let date = UTCTimestamp.parse(text) else {
                throw APIError.badRequest("bad_time", "time: \"\(text.prefix(64))\" is not an RFC 3339 time")
            }
            time = date
        }
        for (name, value) in [("lot", body.lot), ("location", body.location), ("document", body.document)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
            throw APIError.badRequest("bad_field", "\(name): must not be empty, at most 200 characters")
        }
        return LedgerTransaction(
            kind: kind, time: time, lot: body.lot, location: body.location, destination: body.destination,
            quantity: body.kg, actor: actor, document: body.document, comment: body.comment ?? "",
            reason: body.reason ?? "", approver: body.approver ?? "")
    }

    static func body(_ stored: StoredTransaction) -> TransactionBody {
        let transaction = stored.transaction
        return TransactionBody(
            sequence: stored.sequence, kind: transaction.kind.rawValue, time: UTCTimestamp.text(transaction.time),
            lot: transaction.lot, location: transaction.location, destination: transaction.destination,
            kg: transaction.quantity, actor: transaction.actor, document: transaction.document,
            comment: transaction.comment, reason: transaction.reason, approver: transaction.approver,
            hash: stored.hashHex)
    }
}
