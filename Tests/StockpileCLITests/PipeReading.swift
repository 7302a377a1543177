import Foundation
import Glibc

/// Reads a pipe the way the tests need: retrying on EINTR. Foundation's `availableData` and
/// `readDataToEndOfFile` stop the whole test process with a fatal error when a read is interrupted
/// by a signal (a child's SIGCHLD, the lifecycle's handlers), which a busy suite makes happen.
enum PipeReading {
    /// The next chunk, empty at end of file.
    static func chunk(_ descriptor: Int32, size: Int = 65536) -> Data {
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 { return Data(buffer[0..<count]) }
            if count < 0, errno == EINTR { continue }
            return Data()
        }
    }

    /// Everything until end of file.
    static func toEnd(_ descriptor: Int32) -> Data {
        var data = Data()
        while true {
            let next = chunk(descriptor)
            if next.isEmpty { return data }
            data.append(next)
        }
    }

    static func toEnd(_ handle: FileHandle) -> Data { toEnd(handle.fileDescriptor) }
}
