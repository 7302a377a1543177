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
        try admissible(pieces: [records])
    }

    /// `admissible(records:)` for a batch that arrives in pieces, as if they were one array: indices run on
    /// from one piece to the next. The records are read where they are, never gathered into one array.
    public func admissible(pieces: [[LedgerRecord]]) throws(LedgerViolations) -> [Int] {
        var working = self
        var violations: [LedgerViolation] = []
        var newIndices: [Int] = []
        func refuse(_ index: Int, _ field: String, _ code: LedgerViolation.Code, _ message: String) {
            violations.append(LedgerViolation(entry: index, field: field, code: code, message: message))
        }
        // Each record's place, found once; `pieces[p][i]` tests a record's case without copying it.
        var materialIndices: [Int] = []
        var lotIndices: [Int] = []
        var transactions = RecordTransactions(pieces: pieces)
        var base = 0
        for (piece, records) in pieces.enumerated() {
            for position in records.indices {
                switch records[position] {
                case .material: materialIndices.append(base + position)
                case .lot: lotIndices.append(base + position)
                case .transaction: transactions.append(piece: piece, position: position, index: base + position)
                }
            }
            base += records.count
        }
        let place = PiecePlaces(pieces)
        for index in materialIndices {
            guard case .material(let material) = place.record(index, in: pieces) else { continue }
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
        for index in lotIndices {
            guard case .lot(let lot) = place.record(index, in: pieces) else { continue }
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
        do {
            newIndices += try working.admissible(batch: transactions).map { transactions.recordIndices[$0] }
        } catch {
            violations += error.violations.map {
                var violation = $0
                violation.entry = transactions.recordIndices[$0.entry]
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

/// Where record `index` (counted across the pieces) lies: its piece and its place in it.
private struct PiecePlaces {
    /// The index of each piece's first record.
    let starts: [Int]

    init(_ pieces: [[LedgerRecord]]) {
        var starts: [Int] = []
        var start = 0
        for piece in pieces {
            starts.append(start)
            start += piece.count
        }
        self.starts = starts
    }

    func record(_ index: Int, in pieces: [[LedgerRecord]]) -> LedgerRecord {
        // Materials and lots are few: a linear search over a handful of pieces.
        let piece = starts.lastIndex { $0 <= index } ?? 0
        return pieces[piece][index - starts[piece]]
    }
}

/// The transactions of a pieced batch, in order, read from their records as the checks need them.
private struct RecordTransactions: RandomAccessCollection {
    let pieces: [[LedgerRecord]]
    /// Each transaction's piece and place in it.
    private var places: [(piece: Int, position: Int)] = []
    /// Each transaction's index across the pieces: what its violations are reported at.
    private(set) var recordIndices: [Int] = []

    init(pieces: [[LedgerRecord]]) { self.pieces = pieces }

    mutating func append(piece: Int, position: Int, index: Int) {
        places.append((piece, position))
        recordIndices.append(index)
    }

    var startIndex: Int { 0 }
    var endIndex: Int { places.count }

    subscript(position: Int) -> LedgerTransaction {
        let place = places[position]
        guard case .transaction(let transaction) = pieces[place.piece][place.position] else {
            preconditionFailure("RecordTransactions holds the places of transactions only")
        }
        return transaction
    }
}
