/// How long a test waits for something that must happen. The limit only keeps a broken part from hanging
/// the suite, and the wait ends as soon as the condition holds: it is no measure of speed. With every suite
/// running at once on two slow cores, first readings and an unopenable line's offline state each once took
/// more than 30 s to come.
public enum Patience {
    public static let mustHappen: Duration = .seconds(120)
}

/// Waits until `condition` holds, checking every `interval`, for at most `timeout`; returns whether it held.
@discardableResult
public func eventually(
    within timeout: Duration = Patience.mustHappen, every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
