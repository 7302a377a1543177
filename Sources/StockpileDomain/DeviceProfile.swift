/// One device model's register map: what to read, how to decode it, and how far to trust it.
///
/// Loaded from a YAML file under `Devices/` by `ProfileLoader`; see `Devices/README.md`.
/// Addresses held here are always 0-based wire addresses, whatever the file's `address_base`.
public struct DeviceProfile: Hashable, Sendable {
    /// What the device is: it decides which domain rules apply.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case scale, environment, radiation, io, other
    }

    /// Where the register map comes from.
    public struct Source: Hashable, Sendable {
        public var document: String
        public var number: String?
        public var pages: String?
        public var notes: String?

        public init(document: String, number: String? = nil, pages: String? = nil, notes: String? = nil) {
            self.document = document
            self.number = number
            self.pages = pages
            self.notes = notes
        }
    }

    public var vendor: String
    public var model: String
    public var kind: Kind
    public var source: Source
    public var transport: TransportDefaults
    public var points: [ProfilePoint]
    public var commands: [ProfileCommand]
    public var vectors: [TestVector]
    /// The file the profile was loaded from, for messages.
    public var file: String

    public init(
        vendor: String, model: String, kind: Kind, source: Source, transport: TransportDefaults = TransportDefaults(),
        points: [ProfilePoint], commands: [ProfileCommand] = [], vectors: [TestVector] = [], file: String = ""
    ) {
        self.vendor = vendor
        self.model = model
        self.kind = kind
        self.source = source
        self.transport = transport
        self.points = points
        self.commands = commands
        self.vectors = vectors
        self.file = file
    }

    /// The point with this name, if any.
    public func point(named name: String) -> ProfilePoint? {
        points.first { $0.name == name }
    }

    /// Every flag declared on any point, by name.
    public var flags: [String: (point: ProfilePoint, flag: FlagDefinition)] {
        var result: [String: (point: ProfilePoint, flag: FlagDefinition)] = [:]
        for point in points {
            for flag in point.flags { result[flag.name] = (point, flag) }
        }
        return result
    }
}

/// Defaults for talking to one device model.
public struct TransportDefaults: Hashable, Sendable {
    public var wordOrder: WordOrder
    public var maxRegisters: Int
    public var maxBits: Int
    /// Most unused registers (or bits) one request may span to join two ranges.
    public var maxGap: Int
    /// Ranges never to read, not even as filler.
    public var forbidden: [AddressRange]
    public var delayAfterConnect: Duration
    public var delayBetweenRequests: Duration

    public init(
        wordOrder: WordOrder = .abcd, maxRegisters: Int = 125, maxBits: Int = 2000, maxGap: Int = 8,
        forbidden: [AddressRange] = [], delayAfterConnect: Duration = .zero, delayBetweenRequests: Duration = .zero
    ) {
        self.wordOrder = wordOrder
        self.maxRegisters = maxRegisters
        self.maxBits = maxBits
        self.maxGap = maxGap
        self.forbidden = forbidden
        self.delayAfterConnect = delayAfterConnect
        self.delayBetweenRequests = delayBetweenRequests
    }

    /// The per-request limit for a table.
    public func limit(for table: RegisterTable) -> Int {
        table.holdsBits ? maxBits : maxRegisters
    }
}

/// An inclusive range of wire addresses in one table.
public struct AddressRange: Hashable, Sendable, CustomStringConvertible {
    public var table: RegisterTable
    public var first: Int
    public var last: Int

    public init(table: RegisterTable, first: Int, last: Int) {
        self.table = table
        self.first = first
        self.last = last
    }

    public var count: Int { last - first + 1 }

    public func overlaps(_ other: AddressRange) -> Bool {
        table == other.table && first <= other.last && other.first <= last
    }

    public var description: String { first == last ? "\(table) \(first)" : "\(table) \(first)–\(last)" }
}
