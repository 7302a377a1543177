public import Modbus
public import StockpileDomain
import Foundation

/// A raw read a technician asks for without a profile: `holding:99:3`.
public struct RawRead: Hashable, Sendable, CustomStringConvertible {
    public var table: RegisterTable
    /// 0-based wire address.
    public var address: Int
    public var count: Int

    public init(table: RegisterTable, address: Int, count: Int) {
        self.table = table
        self.address = address
        self.count = count
    }

    /// Parses `TABLE:ADDR:COUNT`. With `oneBased`, ADDR is the manual's register number, either
    /// within the table (`8`) or in full notation with the table digit (`40008`).
    public static func parse(_ text: String, oneBased: Bool) throws(ProbeUsageError) -> RawRead {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 || parts.count == 2 else {
            throw ProbeUsageError("--read \(text): expected TABLE:ADDRESS:COUNT, such as holding:0:10")
        }
        let tables = ["holding": RegisterTable.holding, "input": .input, "coil": .coil, "discrete": .discrete]
        guard let table = tables[parts[0]] else {
            throw ProbeUsageError(
                "--read \(text): unknown table \"\(parts[0])\" (use holding, input, coil or discrete)")
        }
        guard let given = Int(parts[1]), given >= 0 else {
            throw ProbeUsageError("--read \(text): the address must be a whole number")
        }
        let count = parts.count == 3 ? Int(parts[2]) : 1
        let limit = table.holdsBits ? 2000 : 125
        guard let count, (1...limit).contains(count) else {
            throw ProbeUsageError("--read \(text): the count must be 1–\(limit)")
        }
        var address = given
        if oneBased {
            let prefixed = table.manualPrefix * 10000
            if given > 10000 || (table.manualPrefix != 0 && given > prefixed && given < prefixed + 10000) {
                guard given > prefixed, given < prefixed + 10000 else {
                    throw ProbeUsageError(
                        "--read \(text): \(given) is not a \(table) register in manual notation (\(prefixed + 1)…)")
                }
                address = given - prefixed - 1
            } else {
                guard given >= 1 else { throw ProbeUsageError("--read \(text): manual register numbers start at 1") }
                address = given - 1
            }
        }
        guard address + count <= 0x10000 else { throw ProbeUsageError("--read \(text): past address 65535") }
        return RawRead(table: table, address: address, count: count)
    }

    public var range: AddressRange { AddressRange(table: table, first: address, last: address + count - 1) }

    public var description: String { "\(table):\(address):\(count)" }

    /// Performs the read; registers come back as words, bits as 0/1.
    public func perform(unit: UInt8, using client: ModbusClient) async throws(ModbusError) -> [UInt16] {
        switch table {
        case .holding: try await client.readHoldingRegisters(unit: unit, address: address, count: count)
        case .input: try await client.readInputRegisters(unit: unit, address: address, count: count)
        case .coil: try await client.readCoils(unit: unit, address: address, count: count).map { $0 ? 1 : 0 }
        case .discrete:
            try await client.readDiscreteInputs(unit: unit, address: address, count: count).map { $0 ? 1 : 0 }
        }
    }
}

/// A mistake in the probe's arguments, said in one line.
public struct ProbeUsageError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
