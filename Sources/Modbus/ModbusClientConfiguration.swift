/// How a client connects, how long it waits, and how it backs off after a broken connection.
public struct ModbusClientConfiguration: Hashable, Sendable {
    public var transport: ModbusTransport
    /// How long to wait for the first byte of a response.
    public var responseTimeout: Duration
    /// How long to wait between two bytes of one response.
    public var byteTimeout: Duration
    /// The first pause before reconnecting after a connection broke or could not be opened.
    public var reconnectBackoff: Duration
    /// The longest pause between reconnect attempts; the back-off doubles up to it.
    public var maximumReconnectBackoff: Duration
    /// Silence kept after connecting, before the first request: some gateways drop early requests.
    public var pauseAfterConnect: Duration
    /// Silence kept between the end of one transaction and the next request on this connection,
    /// on any transport (a slow gateway); on a serial line the longer of this and the line's
    /// inter-frame delay applies.
    public var pauseBetweenRequests: Duration

    public init(
        transport: ModbusTransport, responseTimeout: Duration = .seconds(1), byteTimeout: Duration = .milliseconds(500),
        reconnectBackoff: Duration = .milliseconds(100), maximumReconnectBackoff: Duration = .seconds(30),
        pauseAfterConnect: Duration = .zero, pauseBetweenRequests: Duration = .zero
    ) {
        self.pauseAfterConnect = pauseAfterConnect
        self.pauseBetweenRequests = pauseBetweenRequests
        self.transport = transport
        self.responseTimeout = responseTimeout
        self.byteTimeout = byteTimeout
        self.reconnectBackoff = reconnectBackoff
        self.maximumReconnectBackoff = maximumReconnectBackoff
    }
}

extension ModbusClientConfiguration {
    /// How long a unit that failed to answer in time is kept quiet on a serial line, unless a
    /// device says otherwise: four response timeouts, and at least 2 s. A slave that answers later
    /// than its timeout plus this guard can still have its late answer taken for the next one's;
    /// give such a device a longer guard (the site file's `late_answer_guard`).
    public static func defaultLateAnswerGuard(after timeout: Duration) -> Duration {
        max(.seconds(2), timeout * 4)
    }
}

extension Duration {
    /// Whole seconds and the remaining microseconds, as libmodbus's timeout setters take them.
    var secondsAndMicroseconds: (seconds: UInt32, microseconds: UInt32) {
        let (seconds, attoseconds) = components
        let micro = attoseconds / 1_000_000_000_000
        return (UInt32(clamping: max(seconds, 0)), UInt32(clamping: max(micro, 0)))
    }

    /// The duration in microseconds, for sleeps on a connection's own thread.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
