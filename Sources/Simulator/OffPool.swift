import Foundation

/// Runs a blocking call (a thread join, a semaphore wait) on a thread of its own and resumes the
/// caller when it returns, so it never holds one of the cooperative pool's few threads.
func runOffPool<Value: Sendable, Failure: Error>(
    _ name: String, _ body: @escaping @Sendable () throws(Failure) -> Value
) async throws(Failure) -> Value {
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, Failure>, Never>) in
        let thread = Thread { continuation.resume(returning: Result { () throws(Failure) -> Value in try body() }) }
        thread.name = name
        thread.start()
    }
    return try result.get()
}
