import Foundation
import Glibc
import Testing

/// A TCP socket on 127.0.0.1 (an ephemeral port) that listens and never answers: connections complete
/// in the kernel's backlog and wait there, so a browser pointed at it waits for its page forever.
final class SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0, "socket: errno \(errno)")
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        try #require(bound, "bind: errno \(errno)")
        try #require(listen(descriptor, 16) == 0, "listen: errno \(errno)")
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        _ = Glibc.close(descriptor)
    }
}

/// The processes alive now whose command line holds `marker` (zombies have none, so they do not count).
func processes(withCommandLineContaining marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry), pid != getpid(),
            let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
        else { return nil }
        let commandLine = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return commandLine.contains(marker) ? pid : nil
    }
}
