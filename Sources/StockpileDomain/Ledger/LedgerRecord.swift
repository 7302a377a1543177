/// One record of a ledger file or batch: reference data or a transaction, in the order given.
public enum LedgerRecord: Hashable, Sendable {
    case material(Material)
    case lot(Lot)
    case transaction(LedgerTransaction)
}

extension BookLedger {
    /// Checks a mixed batch (materials and lots first in effect, then transactions) and returns the
    /// indices of the records that are new. A record identical to one in the ledger is not new; one with
    /// the same key and other content is refused. Violations carry the record's index in `records`.
    public func admissible(records: [LedgerRecord]) throws(LedgerViolations) -> [Int] {
        var working = self
        var violations: [LedgerViolation] = []
        var newIndices: [Int] = []
        func refuse(_ index: Int, _ field: String, _ code: LedgerViolation.Code, _ message: String) {
            violations.append(LedgerViolation(entry: index, field: field, code: code, message: message))
        }
        for (index, record) in records.enumerated() {
            guard case .material(let material) = record else { continue }
            if let existing = working.materials[material.code] {
                if existing != material {
                    refuse(
                        index, "material", .conflictingReference,
                        "material \(material.code) is already defined otherwise")
                }
                continue
            }
            if material.code.isEmpty { refuse(index, "material", .missingField, "a material needs a code") }
            if material.name.isEmpty { refuse(index, "name", .missingField, "a material needs a name") }
            if !(0...100).contains(material.moistureAllowancePercent) {
                refuse(index, "moisture_allowance_pct", .invalidQuantity, "the allowance is a percentage from 0 to 100")
            }
            if let limit = material.humidityLimit, !(0...100).contains(limit) {
                refuse(index, "humidity_limit_rh", .invalidQuantity, "the limit is a relative humidity from 0 to 100 %")
            }
            working.materials[material.code] = material
            newIndices.append(index)
        }
        for (index, record) in records.enumerated() {
            guard case .lot(let lot) = record else { continue }
            if let existing = working.lots[lot.id] {
                if existing != lot {
                    refuse(index, "lot", .conflictingReference, "lot \(lot.id) is already defined otherwise")
                }
                continue
            }
            if lot.id.isEmpty { refuse(index, "lot", .missingField, "a lot needs an id") }
            if working.materials[lot.material] == nil {
                refuse(index, "material", .unknownMaterial, "no material \(lot.material) in the ledger or the file")
            }
            if working.locations[lot.location] == nil {
                refuse(index, "location", .unknownLocation, "no location \(lot.location) in the site file")
            }
            if lot.containerCount < 0 {
                refuse(index, "container_count", .invalidQuantity, "a container count is 0 or more")
            }
            if !lot.tarePerContainer.isFinite || lot.tarePerContainer < 0 {
                refuse(index, "tare_per_container_kg", .invalidQuantity, "a container tare is 0 kg or more")
            }
            working.lots[lot.id] = lot
            newIndices.append(index)
        }
        var transactionIndices: [Int] = []
        var transactions: [LedgerTransaction] = []
        for (index, record) in records.enumerated() {
            guard case .transaction(let transaction) = record else { continue }
            transactionIndices.append(index)
            transactions.append(transaction)
        }
        do {
            newIndices += try working.admissible(transactions).map { transactionIndices[$0] }
        } catch {
            violations += error.violations.map {
                var violation = $0
                violation.entry = transactionIndices[$0.entry]
                return violation
            }
        }
        if !violations.isEmpty {
            throw LedgerViolations(violations.sorted { ($0.entry, $0.field) < ($1.entry, $1.field) })
        }
        return newIndices.sorted()
    }

    /// Admits a mixed batch (see `admissible(records:)`) and returns the records actually added.
    @discardableResult
    public mutating func admit(records: [LedgerRecord]) throws(LedgerViolations) -> [LedgerRecord] {
        let added = try admissible(records: records).map { records[$0] }
        for record in added {
            switch record {
            case .material(let material): materials[material.code] = material
            case .lot(let lot): lots[lot.id] = lot
            case .transaction: break
            }
        }
        try admit(added.compactMap { if case .transaction(let transaction) = $0 { transaction } else { nil } })
        return added
    }
}
