extension Duration {
    /// The duration as fractional seconds, for arithmetic and for APIs that take a `TimeInterval`.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
