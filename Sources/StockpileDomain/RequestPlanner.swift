/// One Modbus read the planner chose, and the points it serves.
public struct PlannedRead: Hashable, Sendable, CustomStringConvertible {
    public var table: RegisterTable
    public var address: Int
    public var count: Int
    /// Names of the points wholly inside this read.
    public var points: [String]

    public init(table: RegisterTable, address: Int, count: Int, points: [String]) {
        self.table = table
        self.address = address
        self.count = count
        self.points = points
    }

    public var range: AddressRange { AddressRange(table: table, first: address, last: address + count - 1) }

    public var description: String { "\(table) \(address)+\(count)" }
}

/// Builds the fewest reads that cover a set of points.
///
/// Rules, per table, in address order:
/// - a read never asks for more than the table's limit (`max_registers` or `max_bits`);
/// - one point is never split over two reads (so a 32-bit weight is read whole, in one transaction);
/// - a forbidden address is never read, not even as filler between two points;
/// - two neighbouring ranges join when the unused gap between them is at most `max_gap`.
///
/// The planner is greedy: it extends the current read over the next point whenever the rules allow,
/// otherwise starts a new read at that point. For ranges taken in address order this gives the
/// fewest reads: any plan must start a read at the first point, and no read starting there can reach
/// further than the greedy one, so greedy is never behind. Where several plans have the same count,
/// the greedy one reads the fewest filler registers at the end of each read (it never extends past
/// the last point it serves).
public struct RequestPlanner: Sendable {
    public let transport: TransportDefaults

    public init(transport: TransportDefaults) {
        self.transport = transport
    }

    /// Points that can never be planned: wider than a request or inside a forbidden range.
    public func unplannable(_ points: [ProfilePoint]) -> [(point: ProfilePoint, reason: String)] {
        points.compactMap { point in
            let range = point.range
            let limit = transport.limit(for: point.table)
            if range.count > limit {
                return (
                    point,
                    "needs \(range.count) \(point.table.holdsBits ? "bits" : "registers") in one read; the device allows \(limit)"
                )
            }
            if let forbidden = transport.forbidden.first(where: { $0.overlaps(range) }) {
                return (point, "lies in the forbidden range \(forbidden)")
            }
            return nil
        }
    }

    /// The reads for these points (those `unplannable` reports are left out).
    public func plan(_ points: [ProfilePoint]) -> [PlannedRead] {
        let bad = Set(unplannable(points).map(\.point.name))
        let ranges = points.filter { !bad.contains($0.name) }.map { (name: $0.name, range: $0.range) }
        var reads: [PlannedRead] = []
        for table in RegisterTable.allCases {
            let sorted = ranges.filter { $0.range.table == table }.sorted {
                ($0.range.first, $0.range.last) < ($1.range.first, $1.range.last)
            }
            var current: PlannedRead?
            for (name, range) in sorted {
                if var read = current, canExtend(read, to: range) {
                    read.count = max(read.count, range.last - read.address + 1)
                    read.points.append(name)
                    current = read
                } else {
                    if let read = current { reads.append(read) }
                    current = PlannedRead(table: table, address: range.first, count: range.count, points: [name])
                }
            }
            if let read = current { reads.append(read) }
        }
        return reads
    }

    private func canExtend(_ read: PlannedRead, to range: AddressRange) -> Bool {
        let end = read.address + read.count - 1
        if range.last <= end { return true }  // already covered: flags, overlapping points
        let gap = range.first - end - 1
        if gap > transport.maxGap { return false }
        if range.last - read.address + 1 > transport.limit(for: read.table) { return false }
        let added = AddressRange(table: read.table, first: end + 1, last: range.last)
        return !transport.forbidden.contains { $0.overlaps(added) }
    }
}
