public import Modbus
extension RegisterBank {
    /// The exception a standard slave answers `request` with, or nil when this bank can serve it.
    ///
    /// The checks follow the Modbus Application Protocol specification v1.1b3, §6: quantity
    /// limits first (exception 3), then the address range (exception 2). The server checks before
    /// calling `modbus_reply` because libmodbus answers a bad quantity only after sleeping the
    /// context's response timeout and flushing, which would stall every client of the loop.
    /// Public so that a behavior acts only on writes the bank would carry out.
    public func exception(for request: ModbusRequest) -> ModbusException? {
        guard let function = request.function else { return .illegalFunction }
        let quantityLimit: Int
        let tableSize: Int
        switch function {
        case .reportServerID, .connect:
            return nil
        case .readCoils:
            (quantityLimit, tableSize) = (2000, coilCount)
        case .readDiscreteInputs:
            (quantityLimit, tableSize) = (2000, discreteInputCount)
        case .readHoldingRegisters:
            (quantityLimit, tableSize) = (125, holdingRegisterCount)
        case .readInputRegisters:
            (quantityLimit, tableSize) = (125, inputRegisterCount)
        case .writeSingleCoil:
            guard request.writtenCoils != nil else { return .illegalDataValue }
            (quantityLimit, tableSize) = (1, coilCount)
        case .writeSingleRegister:
            (quantityLimit, tableSize) = (1, holdingRegisterCount)
        case .writeMultipleCoils:
            guard let count = request.count, request.byteCount == (count + 7) / 8, request.writtenCoils != nil
            else { return .illegalDataValue }
            (quantityLimit, tableSize) = (1968, coilCount)
        case .writeMultipleRegisters:
            guard let count = request.count, request.byteCount == count * 2, request.writtenRegisters != nil
            else { return .illegalDataValue }
            (quantityLimit, tableSize) = (123, holdingRegisterCount)
        }
        guard let address = request.address, let count = request.count, (1...quantityLimit).contains(count) else {
            return .illegalDataValue
        }
        return address + count <= tableSize ? nil : .illegalDataAddress
    }
}
