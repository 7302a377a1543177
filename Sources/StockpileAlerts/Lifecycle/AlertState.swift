/// Where an alert is in its life.
public enum AlertState: String, Hashable, Sendable, Codable, CaseIterable {
    /// Not (or no longer) an alert: the state before the first transition, and after a pending
    /// alert's condition cleared before its `for` ran out (it never notified).
    case inactive
    /// The condition holds but has not lasted `for` yet; nobody is told.
    case pending
    /// The condition has lasted `for`; receivers are told and reminded.
    case firing
    /// Still firing, but a person has taken it on: reminders stop, the record does not.
    case acknowledged
    /// The condition cleared (and stayed clear for `keep_firing_for`); told once.
    case resolved

    /// Pending, firing or acknowledged: the alert can still change.
    public var isOpen: Bool { self == .pending || self == .firing || self == .acknowledged }

    /// Firing or acknowledged: what receivers have been told is happening.
    public var isFiring: Bool { self == .firing || self == .acknowledged }
}
