public import Modbus
public import StockpileDomain

extension ModbusClientConfiguration {
    /// How a lane of `bus` connects: its address or line, its pauses, and the reconnect back-off.
    /// Each device's timeout is set per poll, so the configuration's is only the first.
    public init(bus: SiteConfiguration.Bus) {
        switch bus {
        case .tcp(let endpoint):
            self.init(
                transport: .tcp(host: endpoint.host, port: endpoint.port),
                pauseAfterConnect: endpoint.pauseAfterConnect, pauseBetweenRequests: endpoint.pauseBetweenRequests)
        case .rtu(let line):
            self.init(
                transport: .rtu(
                    SerialLine(
                        device: line.device, baud: line.baud, parity: line.parity,
                        dataBits: line.dataBits, stopBits: line.stopBits, rs485: line.rs485,
                        interFrameDelay: line.interFrameDelay)))
        }
    }
}
