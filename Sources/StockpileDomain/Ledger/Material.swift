/// A material the reserve holds (NdPr oxide, Dy2O3, Tb4O7 …), with what its storage needs.
public struct Material: Hashable, Sendable, Codable {
    /// The ledger's key for it (`NDPR-OX`).
    public var code: String
    /// What people call it (`NdPr oxide`).
    public var name: String
    /// Takes up water and CO2 from the air and gains weight doing so.
    public var hygroscopic: Bool
    /// The relative humidity (%RH) above which the material takes up water; `nil` when it has none.
    public var humidityLimit: Double?
    /// The weight gain from moisture, in % of the net weight, that is tolerated before a gain is an
    /// overage. Zero for a material that is not hygroscopic.
    public var moistureAllowancePercent: Double

    public init(
        code: String, name: String, hygroscopic: Bool, humidityLimit: Double? = nil,
        moistureAllowancePercent: Double = 0
    ) {
        self.code = code
        self.name = name
        self.hygroscopic = hygroscopic
        self.humidityLimit = humidityLimit
        self.moistureAllowancePercent = moistureAllowancePercent
    }
}
