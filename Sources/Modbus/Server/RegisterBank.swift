internal import CModbus
import Synchronization

/// One unit's four Modbus tables — coils, discrete inputs, holding registers and input registers —
/// as a server answers from them.
///
/// Each table starts at wire address 0 and has the size given at creation. The values live in a
/// libmodbus `modbus_mapping_t`, so `modbus_reply` answers straight from them; every access, the
/// server's included, holds the bank's lock, so a test or a simulator may change values while
/// clients read and write them. Addresses outside a table are a programming error and trap.
public final class RegisterBank: Sendable {
    /// The number of coils, at addresses `0..<coilCount`.
    public let coilCount: Int
    /// The number of discrete inputs, at addresses `0..<discreteInputCount`.
    public let discreteInputCount: Int
    /// The number of holding registers, at addresses `0..<holdingRegisterCount`.
    public let holdingRegisterCount: Int
    /// The number of input registers, at addresses `0..<inputRegisterCount`.
    public let inputRegisterCount: Int

    // The mapping is only reached through the lock; Mutex owns the pointer, the class frees it.
    private let mapping: Mutex<UnsafeMutablePointer<modbus_mapping_t>>

    /// Creates the four tables, every value zero (coils and inputs off).
    ///
    /// Each count is 0–65536; a table of size 0 answers every request with exception 2.
    public init(coils: Int = 0, discreteInputs: Int = 0, holdingRegisters: Int = 0, inputRegisters: Int = 0) {
        let sizes = [coils, discreteInputs, holdingRegisters, inputRegisters]
        precondition(sizes.allSatisfy { (0...0x10000).contains($0) }, "a Modbus table holds 0–65536 values")
        guard
            let created = modbus_mapping_new_start_address(
                0, UInt32(coils), 0, UInt32(discreteInputs), 0, UInt32(holdingRegisters), 0, UInt32(inputRegisters))
        else {
            // modbus_mapping_new fails only when malloc does.
            fatalError("out of memory allocating a register bank")
        }
        coilCount = coils
        discreteInputCount = discreteInputs
        holdingRegisterCount = holdingRegisters
        inputRegisterCount = inputRegisters
        mapping = Mutex(created)
    }

    deinit {
        mapping.withLock { modbus_mapping_free($0) }
    }

    // MARK: - Holding registers

    /// The holding registers at `address..<address + count`.
    public func holdingRegisters(at address: Int, count: Int) -> [UInt16] {
        check(address, count, holdingRegisterCount, "holding register")
        return mapping.withLock { m in (address..<address + count).map { m.pointee.tab_registers[$0] } }
    }

    /// The holding register at `address`.
    public func holdingRegister(at address: Int) -> UInt16 {
        holdingRegisters(at: address, count: 1)[0]
    }

    /// Sets the holding registers from `address` on, one per value.
    public func setHoldingRegisters(_ values: [UInt16], at address: Int) {
        check(address, values.count, holdingRegisterCount, "holding register")
        mapping.withLock { m in
            for (offset, value) in values.enumerated() { m.pointee.tab_registers[address + offset] = value }
        }
    }

    /// Sets the holding register at `address`.
    public func setHoldingRegister(_ value: UInt16, at address: Int) {
        setHoldingRegisters([value], at: address)
    }

    // MARK: - Input registers

    /// The input registers at `address..<address + count`.
    public func inputRegisters(at address: Int, count: Int) -> [UInt16] {
        check(address, count, inputRegisterCount, "input register")
        return mapping.withLock { m in (address..<address + count).map { m.pointee.tab_input_registers[$0] } }
    }

    /// The input register at `address`.
    public func inputRegister(at address: Int) -> UInt16 {
        inputRegisters(at: address, count: 1)[0]
    }

    /// Sets the input registers from `address` on, one per value.
    public func setInputRegisters(_ values: [UInt16], at address: Int) {
        check(address, values.count, inputRegisterCount, "input register")
        mapping.withLock { m in
            for (offset, value) in values.enumerated() { m.pointee.tab_input_registers[address + offset] = value }
        }
    }

    /// Sets the input register at `address`.
    public func setInputRegister(_ value: UInt16, at address: Int) {
        setInputRegisters([value], at: address)
    }

    // MARK: - Coils

    /// The coils at `address..<address + count`, true for on.
    public func coils(at address: Int, count: Int) -> [Bool] {
        check(address, count, coilCount, "coil")
        return mapping.withLock { m in (address..<address + count).map { m.pointee.tab_bits[$0] != 0 } }
    }

    /// The coil at `address`.
    public func coil(at address: Int) -> Bool {
        coils(at: address, count: 1)[0]
    }

    /// Sets the coils from `address` on, one per value.
    public func setCoils(_ values: [Bool], at address: Int) {
        check(address, values.count, coilCount, "coil")
        mapping.withLock { m in
            for (offset, value) in values.enumerated() { m.pointee.tab_bits[address + offset] = value ? 1 : 0 }
        }
    }

    /// Sets the coil at `address`.
    public func setCoil(_ value: Bool, at address: Int) {
        setCoils([value], at: address)
    }

    // MARK: - Discrete inputs

    /// The discrete inputs at `address..<address + count`, true for on.
    public func discreteInputs(at address: Int, count: Int) -> [Bool] {
        check(address, count, discreteInputCount, "discrete input")
        return mapping.withLock { m in (address..<address + count).map { m.pointee.tab_input_bits[$0] != 0 } }
    }

    /// The discrete input at `address`.
    public func discreteInput(at address: Int) -> Bool {
        discreteInputs(at: address, count: 1)[0]
    }

    /// Sets the discrete inputs from `address` on, one per value.
    public func setDiscreteInputs(_ values: [Bool], at address: Int) {
        check(address, values.count, discreteInputCount, "discrete input")
        mapping.withLock { m in
            for (offset, value) in values.enumerated() { m.pointee.tab_input_bits[address + offset] = value ? 1 : 0 }
        }
    }

    /// Sets the discrete input at `address`.
    public func setDiscreteInput(_ value: Bool, at address: Int) {
        setDiscreteInputs([value], at: address)
    }

    // MARK: - Whole images

    /// Sets every value of `image` under one hold of the bank's lock, so no request is answered
    /// from a mix of the values before and after it. Addresses outside a table trap, before any
    /// value is written.
    public func apply(_ image: RegisterImage) {
        for address in image.holdingRegisters.keys { check(address, 1, holdingRegisterCount, "holding register") }
        for address in image.inputRegisters.keys { check(address, 1, inputRegisterCount, "input register") }
        for address in image.coils.keys { check(address, 1, coilCount, "coil") }
        for address in image.discreteInputs.keys { check(address, 1, discreteInputCount, "discrete input") }
        mapping.withLock { m in
            for (address, value) in image.holdingRegisters { m.pointee.tab_registers[address] = value }
            for (address, value) in image.inputRegisters { m.pointee.tab_input_registers[address] = value }
            for (address, value) in image.coils { m.pointee.tab_bits[address] = value ? 1 : 0 }
            for (address, value) in image.discreteInputs { m.pointee.tab_input_bits[address] = value ? 1 : 0 }
        }
    }

    // MARK: - For the server

    /// Runs `body` with the mapping under the bank's lock, so `modbus_reply` reads and writes the
    /// tables atomically with respect to every other access.
    func withMapping<Result: Sendable, Failure: Error>(
        _ body: (UnsafeMutablePointer<modbus_mapping_t>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try mapping.withLock { (mapping) throws(Failure) in try body(mapping) }
    }

    private func check(_ address: Int, _ count: Int, _ size: Int, _ table: String) {
        precondition(
            address >= 0 && count >= 0 && address + count <= size,
            "\(table)s \(address)..<\(address + count) are outside the bank (0..<\(size))")
    }
}
