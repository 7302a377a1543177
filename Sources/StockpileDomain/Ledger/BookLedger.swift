public import Foundation

/// The ledger as a value: its reference data, its transactions in the order they were recorded, and
/// the signed-off counts; from them, the book position of every lot and location as of any instant.
///
/// `admit(_:)` is the one gate every new transaction goes through (the CSV import, `ledger record`,
/// an adjustment after a count): it checks a whole batch against the ledger and against itself and
/// either admits all of it or reports every violation.
public struct BookLedger: Sendable {
    public var materials: [String: Material]
    public var locations: [String: LedgerLocation]
    public var lots: [String: Lot]
    /// In the order recorded (the store's sequence); positions apply them in time order.
    public private(set) var transactions: [LedgerTransaction]
    public var counts: [PhysicalCount]

    /// A quantity this close to zero is zero: kg sums of decimal inputs are not exact in binary.
    static let epsilon = 1e-9

    public init(
        materials: [Material] = [], locations: [LedgerLocation] = [], lots: [Lot] = [],
        transactions: [LedgerTransaction] = [], counts: [PhysicalCount] = []
    ) {
        self.materials = Dictionary(materials.map { ($0.code, $0) }, uniquingKeysWith: { _, last in last })
        self.locations = Dictionary(locations.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.lots = Dictionary(lots.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        self.transactions = transactions
        self.counts = counts
    }

    // MARK: - Admitting transactions

    /// Checks `batch` and returns the indices of its entries that are new, in batch order.
    ///
    /// An entry identical to one already in the ledger (same document, same content) is not new: a
    /// re-imported file admits nothing twice. Any violation refuses the whole batch.
    public func admissible(_ batch: [LedgerTransaction]) throws(LedgerViolations) -> [Int] {
        try admissible(batch: batch)
    }

    /// `admissible(_:)` over any batch indexed from 0: a mixed batch's transactions are checked where
    /// they lie, not copied out of their records first (a large import has hundreds of thousands).
    func admissible<Batch: RandomAccessCollection<LedgerTransaction>>(
        batch: Batch
    ) throws(LedgerViolations) -> [Int] where Batch.Index == Int {
        var violations: [LedgerViolation] = []
        var newEntries: [NewEntry] = []
        newEntries.reserveCapacity(batch.count)
        var documents: [String: Int] = [:]
        documents.reserveCapacity(transactions.count)
        for (offset, transaction) in transactions.enumerated() { documents[transaction.document] = offset }
        var batchDocuments: [String: Int] = [:]
        batchDocuments.reserveCapacity(batch.count)
        let lots = LotSlots(self.lots, materials: materials)
        for index in batch.indices {
            let transaction = batch[index]
            if let existing = documents[transaction.document] {
                let stored = transactions[existing]
                if stored != transaction, stored.canonicalText != transaction.canonicalText {
                    violations.append(
                        LedgerViolation(
                            entry: index, field: "document", code: .duplicateDocument,
                            message: "document \(transaction.document) is already in the ledger with other content"))
                }
                continue
            }
            // One hash of the document, whether it is new or seen before in the batch.
            if let first = batchDocuments.insertingFirst(index, forKey: transaction.document) {
                violations.append(
                    LedgerViolation(
                        entry: index, field: "document", code: .duplicateDocument,
                        message: "document \(transaction.document) appears twice (first at entry \(first))"))
                continue
            }
            let before = violations.count
            let slot = checkFields(transaction, entry: index, lots: lots, into: &violations)
            if violations.count == before, let slot { newEntries.append(NewEntry(index: index, lot: slot)) }
        }
        checkSequence(batch, adding: newEntries, lots: lots, into: &violations)
        if !violations.isEmpty {
            throw LedgerViolations(violations.sorted { ($0.entry, $0.field) < ($1.entry, $1.field) })
        }
        return newEntries.map(\.index)
    }

    /// Admits `batch` (see `admissible`) and returns the transactions actually appended.
    @discardableResult
    public mutating func admit(_ batch: [LedgerTransaction]) throws(LedgerViolations) -> [LedgerTransaction] {
        let added = try admissible(batch).map { batch[$0] }
        transactions.append(contentsOf: added)
        return added
    }

    /// A new entry that passed its own checks, and its lot's slot in `LotSlots`.
    private struct NewEntry {
        var index: Int
        var lot: Int
    }

    /// The ledger's lots numbered once per batch: each transaction looks its lot up by id once, and the
    /// sequence check keeps each lot's running state in an array slot instead of hashing the id again.
    private struct LotSlots {
        var slots: [String: Int] = [:]
        var lots: [Lot] = []
        /// Whether the ledger knows the lot's material.
        var materialKnown: [Bool] = []

        init(_ lots: [String: Lot], materials: [String: Material]) {
            slots.reserveCapacity(lots.count)
            self.lots.reserveCapacity(lots.count)
            materialKnown.reserveCapacity(lots.count)
            for (id, lot) in lots {
                slots[id] = self.lots.count
                self.lots.append(lot)
                materialKnown.append(materials[lot.material] != nil)
            }
        }

        var count: Int { lots.count }
    }

    /// Checks of one transaction on its own: names known, numbers usable, required fields present.
    /// Returns its lot's slot, nil when the ledger has no such lot.
    private func checkFields(
        _ transaction: LedgerTransaction, entry: Int, lots: LotSlots, into violations: inout [LedgerViolation]
    ) -> Int? {
        func refuse(_ field: String, _ code: LedgerViolation.Code, _ message: String) {
            violations.append(LedgerViolation(entry: entry, field: field, code: code, message: message))
        }
        let slot = lots.slots[transaction.lot]
        if let slot {
            if !lots.materialKnown[slot] {
                let lot = lots.lots[slot]
                refuse(
                    "lot", .unknownMaterial,
                    "lot \(lot.id) is of material \(lot.material), which the ledger does not know")
            }
        } else {
            refuse("lot", .unknownLot, "no lot \(transaction.lot) in the ledger")
        }
        if locations[transaction.location] == nil {
            refuse("location", .unknownLocation, "no location \(transaction.location) in the site file")
        }
        let quantity = transaction.quantity
        if !quantity.isFinite {
            refuse("quantity", .invalidQuantity, "\(quantity) is not a number of kg")
        } else if transaction.kind == .adjustment ? quantity == 0 : quantity <= 0 {
            let expected = transaction.kind == .adjustment ? "a non-zero signed kg" : "a positive kg"
            refuse("quantity", .invalidQuantity, "a \(transaction.kind.rawValue) needs \(expected), found \(quantity)")
        }
        if transaction.actor.isEmpty { refuse("actor", .missingField, "who recorded it is required") }
        if transaction.document.isEmpty { refuse("document", .missingField, "a reference document is required") }
        switch transaction.kind {
        case .transfer:
            if let destination = transaction.destination {
                if locations[destination] == nil {
                    refuse("destination", .unknownLocation, "no location \(destination) in the site file")
                } else if destination == transaction.location {
                    refuse("destination", .wrongLocation, "a transfer goes to another location")
                }
            } else {
                refuse("destination", .missingField, "a transfer needs a destination")
            }
        case .adjustment:
            if transaction.reason.isEmpty { refuse("reason", .missingField, "an adjustment needs a reason") }
            if transaction.approver.isEmpty {
                refuse("approver", .missingField, "an adjustment needs an approver")
            } else if transaction.approver == transaction.actor {
                refuse(
                    "approver", .segregationOfDuties,
                    "\(transaction.actor) cannot approve their own adjustment (segregation of duties)")
            }
        case .opening, .receipt, .issue:
            if transaction.destination != nil {
                refuse("destination", .wrongLocation, "only a transfer has a destination")
            }
        }
        return slot
    }

    /// A lot's book as the sequence check walks the timeline: where it is, what it holds, and the latest
    /// new entry that changed it (blamed for what a later existing entry can no longer do).
    private struct LotState {
        var location: String
        var kilograms: Double
        var lastNew: Int?
    }

    /// Checks the whole history with the new entries in time order: each lot opened first and where
    /// the lot is, never negative, transfers whole, nothing dated at or before a signed-off count at
    /// its location, and no count's counter approving the adjustment that settles it.
    private func checkSequence<Batch: RandomAccessCollection<LedgerTransaction>>(
        _ batch: Batch, adding entries: [NewEntry], lots: LotSlots, into violations: inout [LedgerViolation]
    ) where Batch.Index == Int {
        guard !entries.isEmpty else { return }
        // Existing transactions sort before new ones at the same instant: they were recorded first.
        // Sorted as (time, order) keys into the two arrays, not as copies of the transactions: moving a
        // transaction retains its nine strings, and a large import sorts hundreds of thousands.
        let existing = transactions.count
        var timeline: [(time: Double, order: Int)] = []
        timeline.reserveCapacity(existing + entries.count)
        for (order, transaction) in transactions.enumerated() {
            timeline.append((transaction.time.timeIntervalSinceReferenceDate, order))
        }
        for (offset, entry) in entries.enumerated() {
            timeline.append((batch[entry.index].time.timeIntervalSinceReferenceDate, existing + offset))
        }
        timeline.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        let lastCounts = latestCountPerLocation()
        var states = [LotState?](repeating: nil, count: lots.count)
        for key in timeline {
            let entry: Int?
            let slot: Int
            let transaction: LedgerTransaction
            if key.order < existing {
                transaction = transactions[key.order]
                guard let found = lots.slots[transaction.lot] else { continue }
                (entry, slot) = (nil, found)
            } else {
                let new = entries[key.order - existing]
                (transaction, entry, slot) = (batch[new.index], new.index, new.lot)
            }
            let lotID = lots.lots[slot].id
            let state = states[slot]
            // A violation at an existing entry is the doing of the latest new entry before it on that lot.
            let blame = entry ?? state?.lastNew
            var refused = false
            func refuse(_ field: String, _ code: LedgerViolation.Code, _ message: String) {
                refused = true
                guard let blame else { return }
                let suffix = entry == nil ? " (at the later \(transaction.document))" : ""
                violations.append(LedgerViolation(entry: blame, field: field, code: code, message: message + suffix))
            }
            if entry != nil, !lastCounts.isEmpty { checkCutOff(transaction, lastCounts: lastCounts, refuse: refuse) }
            var current: LotState
            if let state {
                current = state
                if transaction.kind == .opening {
                    refuse("kind", .openingNotFirst, "lot \(lotID) already has transactions before this opening")
                }
            } else {
                current = LotState(location: lots.lots[slot].location, kilograms: 0, lastNew: nil)
                if transaction.kind != .opening && transaction.kind != .receipt {
                    refuse("kind", .openingNotFirst, "lot \(lotID) has no opening balance or receipt before this")
                    continue
                }
            }
            if transaction.location != current.location {
                let verb = state == nil ? "is put first at" : "is at"
                refuse(
                    "location", .wrongLocation,
                    "lot \(lotID) \(verb) \(current.location) at this time, not \(transaction.location)")
            }
            var next = current
            switch transaction.kind {
            case .transfer:
                if abs(transaction.quantity - current.kilograms) > Self.epsilon {
                    refuse(
                        "quantity", .transferNotWhole,
                        "a transfer moves the whole lot (\(current.kilograms) kg), not \(transaction.quantity) kg; "
                            + "issue the part and receive it into a new lot")
                }
                if let destination = transaction.destination { next.location = destination }
            case .opening, .receipt, .issue, .adjustment:
                next.kilograms += transaction.bookChange
                if next.kilograms < -Self.epsilon {
                    refuse(
                        "quantity", .negativePosition,
                        "lot \(lotID) would hold \(next.kilograms) kg after this \(transaction.kind.rawValue)")
                }
            }
            if transaction.kind == .adjustment, entry != nil,
                let count = latestCount(at: transaction.location, before: transaction.time),
                count.counter == transaction.approver
            {
                refuse(
                    "approver", .segregationOfDuties,
                    "\(transaction.approver) counted \(transaction.location) (\(count.document)) and cannot approve "
                        + "the adjustment that settles it")
            }
            // A refused new entry does not change the lot, so one mistake is reported once, not at every
            // later entry it would throw off. Entries already in the ledger are facts and always apply.
            if entry != nil {
                if refused { continue }
                next.lastNew = entry
            }
            states[slot] = next
        }
    }

    /// Each counted location's latest count (the first of equally late ones), found once per batch
    /// instead of by a pass over every count for every new transaction.
    private func latestCountPerLocation() -> [String: PhysicalCount] {
        var latest: [String: PhysicalCount] = [:]
        for count in counts {
            if let known = latest[count.location], known.time >= count.time { continue }
            latest[count.location] = count
        }
        return latest
    }

    private func checkCutOff(
        _ transaction: LedgerTransaction, lastCounts: [String: PhysicalCount],
        refuse: (String, LedgerViolation.Code, String) -> Void
    ) {
        for location in [transaction.location, transaction.destination].compactMap({ $0 }) {
            guard let count = lastCounts[location] else { continue }
            // An adjustment settling a count is dated after it; anything at or before the count is refused.
            if transaction.time <= count.time {
                refuse(
                    "time", .beforeCutOff,
                    "\(location) was counted at \(Self.text(count.time)) (\(count.document)); "
                        + "a transaction there cannot be dated at or before the count")
            }
        }
    }

    /// The latest signed-off count at `location` at or before `time`.
    public func latestCount(at location: String, before time: Date) -> PhysicalCount? {
        PhysicalCount.latest(in: counts, at: location, before: time)
    }

    // MARK: - Book positions

    /// The transactions in effect at `instant` (time ≤ instant), in the order they apply.
    public func transactions(asOf instant: Date) -> [LedgerTransaction] {
        order(asOf: instant).map { transactions[$0] }
    }

    /// The indices into `transactions` of those in effect at `instant`, in the order they apply: sorted as
    /// (time, index) keys, not as transactions, whose nine strings each move would retain.
    func order(asOf instant: Date) -> [Int] {
        var keys: [(time: Double, index: Int)] = []
        keys.reserveCapacity(transactions.count)
        for (index, transaction) in transactions.enumerated() where transaction.time <= instant {
            keys.append((transaction.time.timeIntervalSinceReferenceDate, index))
        }
        keys.sort { ($0.time, $0.index) < ($1.time, $1.index) }
        return keys.map(\.index)
    }

    /// Every lot with a book position at `instant`, ordered by location then lot id. A lot issued to
    /// zero still appears (with 0 kg) at its last location.
    public func positions(asOf instant: Date) -> [LotPosition] {
        var book = BookAccumulator(lots: lots)
        for index in order(asOf: instant) { book.apply(transactions[index], sequence: Int64(index + 1)) }
        return book.positions
    }

    /// The lots at `location` at `instant`.
    public func positions(at location: String, asOf instant: Date) -> [LotPosition] {
        positions(asOf: instant).filter { $0.location == location }
    }

    /// Net kg on the book at `location` at `instant`.
    public func book(at location: String, asOf instant: Date) -> Double {
        positions(at: location, asOf: instant).reduce(0) { $0 + $1.kilograms }
    }

    /// The last transaction in effect at `instant`: the report's cut-off.
    public func cutOff(asOf instant: Date) -> LedgerTransaction? {
        order(asOf: instant).last.map { transactions[$0] }
    }

    static func text(_ date: Date) -> String {
        UTCTimestamp.text(date)
    }
}

extension Dictionary {
    /// Stores `value` under `key` unless the key is already there, and returns what was there (nil when
    /// `value` was stored): a first-seen check that hashes the key once, not once to look and once to insert.
    fileprivate mutating func insertingFirst(_ value: Value, forKey key: Key) -> Value? {
        func update(_ slot: inout Value?) -> Value? {
            if let existing = slot { return existing }
            slot = value
            return nil
        }
        return update(&self[key])
    }
}
