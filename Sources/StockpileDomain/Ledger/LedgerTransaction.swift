public import Foundation

/// One entry of the append-only ledger. A correction is a new transaction, never an edit.
public struct LedgerTransaction: Hashable, Sendable {
    /// What the transaction does to its lot's book position.
    public enum Kind: String, Hashable, Sendable, CaseIterable, Codable {
        /// The lot's quantity when the ledger starts keeping it.
        case opening
        /// Material received into the lot (goods in).
        case receipt
        /// Material issued from the lot (goods out).
        case issue
        /// The whole lot moved from `location` to `destination`.
        case transfer
        /// A signed correction after a count, with a reason and an approver.
        case adjustment
    }

    public var kind: Kind
    /// When it happened (UTC, kept to the millisecond).
    public var time: Date
    /// The lot it changes.
    public var lot: String
    /// Where it happens: the lot's location at `time` (for a transfer, where the lot leaves from).
    public var location: String
    /// A transfer's destination; `nil` for every other kind.
    public var destination: String?
    /// kg. Positive for opening, receipt, issue and transfer; signed for an adjustment (− for a loss).
    public var quantity: Double
    /// Who recorded it.
    public var actor: String
    /// The reference document (delivery note, issue voucher, count sheet): unique in the ledger.
    public var document: String
    public var comment: String
    /// Why an adjustment was made (required for adjustments, empty otherwise).
    public var reason: String
    /// Who approved an adjustment: someone other than `actor` (required for adjustments).
    public var approver: String

    public init(
        kind: Kind, time: Date, lot: String, location: String, destination: String? = nil, quantity: Double,
        actor: String, document: String, comment: String = "", reason: String = "", approver: String = ""
    ) {
        self.kind = kind
        self.time = time
        self.lot = lot
        self.location = location
        self.destination = destination
        self.quantity = quantity
        self.actor = actor
        self.document = document
        self.comment = comment
        self.reason = reason
        self.approver = approver
    }

    /// The change to the lot's book quantity, kg: + for opening, receipt and adjustments up, − for
    /// issues and adjustments down, 0 for a transfer (the lot keeps its quantity and changes place).
    public var bookChange: Double { Self.bookChange(kind, quantity) }

    /// The change a transaction of `kind` and `quantity` makes to its lot's book quantity, kg.
    public static func bookChange(_ kind: Kind, _ quantity: Double) -> Double {
        switch kind {
        case .opening, .receipt, .adjustment: quantity
        case .issue: -quantity
        case .transfer: 0
        }
    }

    /// The time in integer UTC milliseconds, as the store keeps it and as the canonical text carries it.
    public var timeMilliseconds: Int64 {
        Int64((time.timeIntervalSince1970 * 1000).rounded())
    }

    /// The transaction's content in one unambiguous line, the input of its chain hash.
    ///
    /// Fields in a fixed order, each as `name=` and its length-prefixed value (`6:bay-b1`), so no
    /// value can imitate a field boundary; the quantity in Swift's shortest round-tripping decimal.
    /// Changing this format invalidates every stored chain: it is versioned by its first field.
    public var canonicalText: String {
        var bytes: [UInt8] = []
        appendCanonicalBytes(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `canonicalText`'s UTF-8 bytes to `bytes`, the same text built in place: the chain hash of a
    /// large import runs over one reused buffer instead of twelve field strings joined per transaction.
    public func appendCanonicalBytes(to bytes: inout [UInt8]) {
        func field(_ name: StaticString, _ value: String, first: Bool = false) {
            if !first { bytes.append(UInt8(ascii: ";")) }
            bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            bytes.append(UInt8(ascii: "="))
            var value = value
            value.withUTF8 { utf8 in
                Self.appendDecimal(Int64(utf8.count), to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                bytes.append(contentsOf: utf8)
            }
        }
        field("v", "1", first: true)
        field("kind", kind.rawValue)
        // The time's digits straight into the buffer, prefixed by their count, as `field` writes a value.
        bytes.append(contentsOf: ";time=".utf8)
        let time = timeMilliseconds
        Self.appendDecimal(Int64(Self.decimalLength(time)), to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDecimal(time, to: &bytes)
        field("lot", lot)
        field("location", location)
        field("destination", destination ?? "")
        field("quantity", quantity.description)
        field("actor", actor)
        field("document", document)
        field("comment", comment)
        field("reason", reason)
        field("approver", approver)
    }

    /// Appends `value` in decimal (as `String(value)` spells it) without making a String: the chain hash
    /// of a large import writes a dozen numbers per transaction.
    public static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// How many characters `String(value)` has.
    static func decimalLength(_ value: Int64) -> Int {
        var length = value < 0 ? 2 : 1
        var magnitude = value.magnitude
        while magnitude >= 10 {
            magnitude /= 10
            length += 1
        }
        return length
    }
}
