/// The points of one device read together at one cadence: the unit the bus scheduler schedules.
///
/// A point's quality may rest on flags of another point (a scale's weight on its status word's
/// `stable` bit), and its value on another point's decimals or sign: those points are read in the
/// same group, whatever their own cadence, so a weight is never qualified against an old status.
public struct PollGroup: Hashable, Sendable {
    public var cadence: PollSchedule.Cadence
    /// The points read, in profile order: the group's own and those they depend on.
    public var points: [ProfilePoint]

    public init(cadence: PollSchedule.Cadence, points: [ProfilePoint]) {
        self.cadence = cadence
        self.points = points
    }

    /// Every group of `profile` under `schedule`: one per distinct cadence, periodic ones shortest
    /// first, then `once` (identity). Classes with the same cadence share a group, so a device
    /// polled at one rate costs one plan.
    public static func groups(of profile: DeviceProfile, schedule: PollSchedule) -> [PollGroup] {
        var cadences: [PollSchedule.Cadence] = []
        var members: [PollSchedule.Cadence: Set<String>] = [:]
        for point in profile.points {
            let cadence = schedule.cadence(for: point.pointClass)
            if members[cadence] == nil {
                cadences.append(cadence)
                members[cadence] = []
            }
            members[cadence]!.insert(point.name)
        }
        let ownerOfFlag = Dictionary(
            profile.points.flatMap { point in point.flags.map { ($0.name, point.name) } },
            uniquingKeysWith: { first, _ in first })
        let ordered = cadences.sorted { lhs, rhs in
            switch (lhs, rhs) {
            case (.every(let a), .every(let b)): a < b
            case (.every, .once): true
            case (.once, _): false
            }
        }
        return ordered.map { cadence in
            var names = members[cadence]!
            // Dependencies, transitively (a summary flag names other flags).
            var pending = Array(names)
            while let name = pending.popLast() {
                guard let point = profile.point(named: name) else { continue }
                for dependency in dependencies(of: point, profile: profile, ownerOfFlag: ownerOfFlag)
                where names.insert(dependency).inserted {
                    pending.append(dependency)
                }
            }
            return PollGroup(cadence: cadence, points: profile.points.filter { names.contains($0.name) })
        }
    }

    /// The points whose registers `point` needs to be decoded and qualified.
    private static func dependencies(
        of point: ProfilePoint, profile: DeviceProfile, ownerOfFlag: [String: String]
    ) -> [String] {
        var flagNames = point.quality.require + point.quality.reject + point.quality.doubt
        // A summary flag's parts may live on other points.
        flagNames += point.flags.flatMap(\.anyOf)
        var names: [String] = []
        for name in flagNames + [point.decimalsFrom, point.signFrom].compactMap({ $0 }) {
            if let owner = ownerOfFlag[name] {
                names.append(owner)
            } else if profile.point(named: name) != nil {
                names.append(name)
            }
        }
        return names.filter { $0 != point.name }
    }
}
