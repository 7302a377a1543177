public import SimulatorCore
public import StockpileDomain

/// The physics behind one simulated device, whichever kind it is.
public enum DeviceModelState: Sendable {
    case scale(ScaleModel)
    case environment(EnvironmentModel)
    case io(IOModel)

    /// Builds the model a scenario device asks for, from its parameters.
    public init(_ device: SimulatedDevice) {
        let p = device.parameters
        switch device.model {
        case .scale:
            var configuration = ScaleModel.Configuration()
            configuration.capacity = p["capacity"] ?? configuration.capacity
            configuration.division = p["division"] ?? configuration.division
            configuration.noiseDivisions = p["noise_divisions"] ?? configuration.noiseDivisions
            configuration.settlingTime = p["settling_s"] ?? configuration.settlingTime
            configuration.driftPerHour = p["creep_kg_per_h"] ?? configuration.driftPerHour
            configuration.initialLoad = p["load"] ?? configuration.initialLoad
            configuration.accuracyClass = device.accuracyClass ?? configuration.accuracyClass
            var model = ScaleModel(configuration: configuration)
            if let loss = p["loss_kg_per_h"] { model.setLossRate(loss) }
            if let tare = p["tare"], tare > 0 {
                // A preset tare: the indicator starts in net mode with this tare.
                model.setLoad(tare)
                _ = model.tare()
                model.setLoad(configuration.initialLoad)
            }
            self = .scale(model)
        case .environment:
            var configuration = EnvironmentModel.Configuration()
            configuration.temperatureMean = p["temperature"] ?? configuration.temperatureMean
            configuration.temperatureAmplitude = p["temperature_amplitude"] ?? configuration.temperatureAmplitude
            configuration.temperatureNoise = p["temperature_noise"] ?? configuration.temperatureNoise
            configuration.humidityMean = p["humidity"] ?? configuration.humidityMean
            configuration.humidityAmplitude = p["humidity_amplitude"] ?? configuration.humidityAmplitude
            configuration.humidityNoise = p["humidity_noise"] ?? configuration.humidityNoise
            configuration.co2Baseline = p["co2"] ?? configuration.co2Baseline
            configuration.co2Noise = p["co2_noise"] ?? configuration.co2Noise
            configuration.doseRateBackground = p["dose_rate"] ?? configuration.doseRateBackground
            configuration.doseRateNoise = p["dose_rate_noise"] ?? configuration.doseRateNoise
            configuration.startHour = p["start_hour"] ?? configuration.startHour
            self = .environment(EnvironmentModel(configuration: configuration))
        case .io:
            var model = IOModel()
            let mask = Int(p["doors_open"] ?? 0)
            for door in 1...IOModel.channelCount where mask & (1 << (door - 1)) != 0 { model.openDoor(door) }
            self = .io(model)
        }
    }

    mutating func advance(by seconds: Double, using rng: inout SeededGenerator) {
        switch self {
        case .scale(var model):
            model.advance(by: seconds, using: &rng)
            self = .scale(model)
        case .environment(var model):
            model.advance(by: seconds, using: &rng)
            self = .environment(model)
        case .io(var model):
            model.advance(by: seconds, using: &rng)
            self = .io(model)
        }
    }

    /// The model's outputs by vocabulary name.
    public func pointValues() -> [String: PointValue?] {
        switch self {
        case .scale(let model): model.pointValues()
        case .environment(let model): model.pointValues()
        case .io(let model): model.pointValues()
        }
    }

    /// Applies a timeline or control-channel event; false when it does not fit this model.
    mutating func apply(_ event: ModelEvent) -> Bool {
        switch (self, event) {
        case (.scale(var model), .addLoad(let kg)):
            model.addLoad(kg)
            self = .scale(model)
        case (.scale(var model), .setLoad(let kg)):
            model.setLoad(kg)
            self = .scale(model)
        case (.scale(var model), .gradualLoss(let rate)):
            model.setLossRate(rate)
            self = .scale(model)
        case (.scale(var model), .deviceError(let code)):
            model.setFault(code)
            self = .scale(model)
        case (.scale(var model), .clearDeviceError):
            model.clearFault()
            self = .scale(model)
        case (.environment(var model), .clearDeviceError):
            for quantity in EnvironmentModel.Quantity.allCases { model.clearFault(quantity) }
            self = .environment(model)
        case (.environment(var model), .humidityExcursion(let target, let ramp, let hold)):
            model.startHumidityExcursion(target: target, ramp: ramp, hold: hold)
            self = .environment(model)
        case (.io(var model), .doorOpen(let door)):
            model.openDoor(door)
            self = .io(model)
        case (.io(var model), .doorClose(let door)):
            model.closeDoor(door)
            self = .io(model)
        default:
            return false
        }
        return true
    }

    /// Whether a scale is in motion (commands that need a standstill are refused).
    var kind: SimulatedDevice.ModelKind {
        switch self {
        case .scale: .scale
        case .environment: .environment
        case .io: .io
        }
    }
}
