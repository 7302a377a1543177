import Modbus
public import ModbusServing

/// Connects one transport's server to the engine: every request there is decided by the device model.
public struct TransportBehavior: ModbusServerBehavior {
    public let transport: String
    public let engine: SimulationEngine

    public init(transport: String, engine: SimulationEngine) {
        self.transport = transport
        self.engine = engine
    }

    public func decide(_ request: ModbusRequest) -> ModbusServerDecision {
        engine.decide(request, transport: transport)
    }
}
