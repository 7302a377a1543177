/// New values for some of a bank's registers and bits, applied together by `RegisterBank.apply(_:)`.
///
/// A simulator prepares a device's whole image for one model step here, off the bank's lock, and
/// hands it over in one call: a client's read then sees every value of one step or of the next,
/// never the high word of a 32-bit value from one step and the low word from another.
public struct RegisterImage: Hashable, Sendable {
    /// Holding register values by wire address.
    public var holdingRegisters: [Int: UInt16]
    /// Input register values by wire address.
    public var inputRegisters: [Int: UInt16]
    /// Coil states by wire address.
    public var coils: [Int: Bool]
    /// Discrete input states by wire address.
    public var discreteInputs: [Int: Bool]

    /// An image with the given values; every table empty by default.
    public init(
        holdingRegisters: [Int: UInt16] = [:], inputRegisters: [Int: UInt16] = [:], coils: [Int: Bool] = [:],
        discreteInputs: [Int: Bool] = [:]
    ) {
        self.holdingRegisters = holdingRegisters
        self.inputRegisters = inputRegisters
        self.coils = coils
        self.discreteInputs = discreteInputs
    }

    /// True when the image changes nothing.
    public var isEmpty: Bool {
        holdingRegisters.isEmpty && inputRegisters.isEmpty && coils.isEmpty && discreteInputs.isEmpty
    }
}
